// One place for user feedback: every write reports success or the server's reason.
import { ElMessage, ElMessageBox } from 'element-plus'
import { ApiError } from '@/api/client'

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message
  if (e instanceof Error && e.message) return e.message
  return '操作失败'
}

/** Show an error unless a global handler (login redirect, …) already did. */
export function showError(e: unknown): void {
  if (e instanceof ApiError && e.handled) return
  ElMessage.error({ message: errorMessage(e), grouping: true })
}

export type WriteResult<T> = { ok: true; value: T } | { ok: false; error: unknown }

/** Run a write; ElMessage success with `success` (text or built from the answer) or the error. */
export async function runWrite<T>(
  fn: () => Promise<T>,
  success: string | ((value: T) => string),
): Promise<WriteResult<T>> {
  try {
    const value = await fn()
    ElMessage.success(typeof success === 'function' ? success(value) : success)
    return { ok: true, value }
  } catch (error) {
    showError(error)
    return { ok: false, error }
  }
}

/** Confirmation dialog; resolves false when cancelled. */
export async function confirmAction(
  message: string,
  title = '操作确认',
  confirmButtonText = '确定',
): Promise<boolean> {
  try {
    await ElMessageBox.confirm(message, title, {
      type: 'warning',
      confirmButtonText,
      cancelButtonText: '取消',
    })
    return true
  } catch {
    return false
  }
}

/** Let the browser download a same-origin URL (streams to disk; the server names the file). */
export function startDownload(url: string): void {
  const a = document.createElement('a')
  a.href = url
  a.download = ''
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
}

/** Copy text; falls back to execCommand for non-secure (http) origins. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    // fall through
  }
  const ta = document.createElement('textarea')
  ta.value = text
  ta.setAttribute('readonly', '')
  ta.style.position = 'fixed'
  ta.style.opacity = '0'
  document.body.appendChild(ta)
  ta.select()
  let ok = false
  try {
    ok = document.execCommand('copy')
  } catch {
    ok = false
  }
  ta.remove()
  return ok
}

/** Save data made in the browser (e.g. a CSV of rejected lines) as a file. */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

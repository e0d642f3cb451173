// Server validation errors (`details.fields`) shown at the form fields:
// bind `:error="fieldErrors.username"` on each el-form-item.
import { reactive } from 'vue'
import { ApiError } from '@/api/client'

export function useFieldErrors() {
  const fieldErrors = reactive<Record<string, string>>({})

  function clear(): void {
    for (const k of Object.keys(fieldErrors)) delete fieldErrors[k]
  }

  /** Map an error onto fields; `codeFields` maps error codes to a field (e.g. user.exists → username). */
  function apply(e: unknown, codeFields: Record<string, string> = {}): void {
    clear()
    if (!(e instanceof ApiError)) return
    Object.assign(fieldErrors, e.fields)
    const field = codeFields[e.code]
    if (field && !fieldErrors[field]) fieldErrors[field] = e.message
  }

  return { fieldErrors, clear, apply }
}

// Only same-app paths are accepted as post-login targets (no open redirects).
export function safeRedirect(target: unknown, fallback = '/'): string {
  const t = Array.isArray(target) ? target[0] : target
  if (typeof t !== 'string' || !t.startsWith('/') || t.startsWith('//') || t.startsWith('/\\')) {
    return fallback
  }
  if (t.startsWith('/login') || t.startsWith('/change-password')) return fallback
  return t
}

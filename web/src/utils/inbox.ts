// Inbox bell: which red messages still deserve a pop-up, and when polling
// should pause. Polling only while the page is visible and the user was active
// recently, so an idle browser does not keep its session alive for ever.
import type { MessageSummary } from '@/api/models'

export const POLL_MS = 30_000
/** No poll after this long without keyboard / mouse activity. */
export const ACTIVE_WINDOW_MS = 2 * 60_000
export const SHOWN_KEY = 'govpulse.inbox.shown'
/**
 * Where and how long a red pop-up shows: in the bottom-right corner (never over
 * the page's filters and cards), closing by itself after a few seconds (kept
 * open while the pointer is on it); the message stays in the inbox.
 */
export const RED_POPUP = { position: 'bottom-right', duration: 8_000, offset: 16 } as const
const MAX_REMEMBERED = 200

type RedMessage = MessageSummary['red_unread'][number]

/** Red unread messages not popped up before (oldest first, so the newest ends on top). */
export function freshRed(list: RedMessage[], shown: ReadonlySet<string>): RedMessage[] {
  return list
    .filter((m) => !shown.has(String(m.id)))
    .sort((a, b) => new Date(a.created_at).getTime() - new Date(b.created_at).getTime())
}

export function shouldPoll(s: { visible: boolean; lastActivity: number; now: number }): boolean {
  return s.visible && s.now - s.lastActivity <= ACTIVE_WINDOW_MS
}

/** Ids popped up in this browser session (sessionStorage). */
export function loadShown(storage: Pick<Storage, 'getItem'>): Set<string> {
  try {
    const v = JSON.parse(storage.getItem(SHOWN_KEY) ?? '[]') as unknown
    return new Set(Array.isArray(v) ? v.map(String) : [])
  } catch {
    return new Set()
  }
}

export function saveShown(storage: Pick<Storage, 'setItem'>, shown: ReadonlySet<string>): void {
  const ids = [...shown].slice(-MAX_REMEMBERED)
  try {
    storage.setItem(SHOWN_KEY, JSON.stringify(ids))
  } catch {
    // storage full or disabled: pop-ups may repeat after a reload
  }
}

/** Badge text: nothing at 0, `99+` past 99. */
export function badgeText(unread: number): string {
  if (!unread || unread < 0) return ''
  return unread > 99 ? '99+' : String(unread)
}

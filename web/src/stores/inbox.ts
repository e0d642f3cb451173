// Unread count of the inbox bell, shared by the top bar and 消息中心 (which
// refreshes it after marking messages read), and the ids of red messages
// already popped up in this browser session.
import { ref } from 'vue'
import { defineStore } from 'pinia'
import { messageApi } from '@/api'
import type { MessageSummary } from '@/api/models'
import { freshRed, loadShown, saveShown } from '@/utils/inbox'

export const useInboxStore = defineStore('inbox', () => {
  const unread = ref(0)
  const shown = loadShown(sessionStorage)
  let pending: Promise<MessageSummary> | null = null

  /** GET /messages/summary (concurrent calls share one request). */
  async function refresh(): Promise<MessageSummary> {
    pending ??= messageApi.summary().finally(() => {
      pending = null
    })
    const s = await pending
    unread.value = s.unread
    return s
  }

  /** The red messages of a summary not popped up yet; they count as shown from now on. */
  function takeFresh(s: MessageSummary): MessageSummary['red_unread'] {
    const fresh = freshRed(s.red_unread ?? [], shown)
    if (fresh.length) {
      for (const m of fresh) shown.add(String(m.id))
      saveShown(sessionStorage, shown)
    }
    return fresh
  }

  return { unread, refresh, takeFresh }
})

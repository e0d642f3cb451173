// Column chooser of list pages (issue 16 item 12): the key columns always
// show; the others can be hidden. On office screens (narrower than 1600 px,
// 1366×768 being common) the list's optional columns start hidden so the key
// ones are not clipped; the user's choice is remembered per list in
// localStorage.
import { computed, ref } from 'vue'

export interface ColumnDef {
  key: string
  label: string
  /** Hidden by default on narrow screens (the user can show it). */
  optional?: boolean
}

/** Below this viewport width optional columns start hidden. */
export const WIDE_SCREEN = 1600
const PREFIX = 'govpulse.columns.'

/** The columns hidden at first: the optional ones on narrow screens, none on wide ones. */
export function initialHidden(defs: readonly ColumnDef[], width: number, stored: string | null): string[] {
  if (stored !== null) {
    try {
      const v = JSON.parse(stored) as unknown
      if (Array.isArray(v)) return v.map(String).filter((k) => defs.some((d) => d.key === k))
    } catch {
      // unreadable: fall back to the default
    }
  }
  return width < WIDE_SCREEN ? defs.filter((d) => d.optional).map((d) => d.key) : []
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    return null
  }
}

export function useColumns(list: string, defs: readonly ColumnDef[]) {
  const key = PREFIX + list
  const width = typeof window === 'undefined' ? WIDE_SCREEN : window.innerWidth
  const hidden = ref<string[]>(initialHidden(defs, width, storage()?.getItem(key) ?? null))
  const shown = (k: string) => !hidden.value.includes(k)
  /** For `<ColumnChooser v-bind="cols.chooser.value" @change="cols.setHidden">`. */
  const chooser = computed(() => ({ columns: defs, hidden: hidden.value }))
  function setHidden(keys: string[]): void {
    hidden.value = keys
    try {
      storage()?.setItem(key, JSON.stringify(keys))
    } catch {
      // storage full or disabled: the choice lasts for this page only
    }
  }
  return { shown, chooser, setHidden, hidden }
}

// Hand-over of an edited rule from the rule editor to 规则仿真 (MON-8): the
// simulation must run the rule as edited, unsaved changes included. Kept in
// sessionStorage so a reload of the simulation page keeps the draft.
import type { WarningRuleInput } from '@/api/models'

const KEY = 'govpulse.simulationDraft'

export function putSimulationDraft(rule: WarningRuleInput): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(rule))
  } catch {
    // storage full or disabled: the simulation starts from the saved rule
  }
}

/** The draft handed over for `code`, if any (it stays for a reload). */
export function simulationDraft(code: string): WarningRuleInput | null {
  try {
    const raw = sessionStorage.getItem(KEY)
    if (!raw) return null
    const rule = JSON.parse(raw) as WarningRuleInput
    return rule && rule.code === code ? rule : null
  } catch {
    return null
  }
}

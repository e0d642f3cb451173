// State shared by the rule editor and 规则仿真: the form, the field catalogue,
// and the problems (ours before sending, the server's `rule.invalid` after)
// located on fields, tree nodes and in the list above the form.
import { computed, onMounted, ref, shallowRef } from 'vue'
import { ElMessage } from 'element-plus'
import type { WarningRuleInput } from '@/api/models'
import { useOptionsStore } from '@/stores/options'
import type { Problem } from './condition'
import { formToRule, locateProblems, ruleProblems, ruleToForm, serverProblems, type RuleForm } from './ruleForm'

export function useRuleEditor(opts: { webhook?: boolean } = {}) {
  const options = useOptionsStore()
  const form = ref<RuleForm>(ruleToForm(null))
  const problems = shallowRef<Problem[]>([])
  const located = computed(() => locateProblems(problems.value, form.value))
  const fields = computed(() => options.ruleFields)
  /** The rule as last loaded or saved (to tell unsaved edits). */
  const saved = ref('')

  function load(rule: WarningRuleInput | null): void {
    form.value = ruleToForm(rule)
    problems.value = []
    markSaved()
  }

  function markSaved(): void {
    saved.value = JSON.stringify(formToRule(form.value))
  }

  markSaved()
  const dirty = computed(() => JSON.stringify(formToRule(form.value)) !== saved.value)

  /** Check before sending; the rule to send, or null (problems shown). */
  function validated(): WarningRuleInput | null {
    problems.value = ruleProblems(form.value, fields.value, { webhook: opts.webhook })
    if (problems.value.length) {
      ElMessage.error({ message: `规则有 ${problems.value.length} 处需要修改，请按提示处理`, grouping: true })
      return null
    }
    return formToRule(form.value)
  }

  /** Show the server's validation details (the client already showed its message). */
  function applyServerError(e: unknown): void {
    problems.value = serverProblems(e)
  }

  const clearProblems = () => {
    problems.value = []
  }

  onMounted(() => void options.loadRuleFields())

  return { form, fields, located, problems, dirty, load, markSaved, validated, applyServerError, clearProblems }
}

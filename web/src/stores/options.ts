// Reference data shared by several pages (regions, roles, permissions, warning
// rules and their condition fields), loaded once per session and refreshed
// after writes that change it.
import { computed, ref } from 'vue'
import { defineStore } from 'pinia'
import { orgApi, roleApi, warningRuleApi } from '@/api'
import type { Permission, Region, Role, RuleField, WarningRuleSummary } from '@/api/models'
import { buildRegionTree } from '@/utils/tree'
import { showError } from '@/utils/feedback'

function cached<T>(load: () => Promise<T>, empty: T) {
  const data = ref(empty) as { value: T }
  let pending: Promise<T> | null = null
  let loaded = false
  async function ensure(force = false): Promise<T> {
    if (loaded && !force) return data.value
    if (!pending || force) {
      pending = load()
        .then((v) => {
          data.value = v
          loaded = true
          return v
        })
        .catch((e) => {
          showError(e)
          return data.value
        })
        .finally(() => {
          pending = null
        })
    }
    return pending
  }
  function clear() {
    data.value = empty
    loaded = false
  }
  return { data, ensure, clear }
}

export const useOptionsStore = defineStore('options', () => {
  const regionsC = cached<Region[]>(orgApi.regions, [])
  const rolesC = cached<Role[]>(roleApi.list, [])
  const permsC = cached<Permission[]>(roleApi.permissions, [])
  // Rules are few (tens): one page of the largest size holds them all.
  const rulesC = cached<WarningRuleSummary[]>(async () => (await warningRuleApi.list({ page: 1, size: 100 })).items, [])
  const ruleFieldsC = cached<RuleField[]>(warningRuleApi.fields, [])

  const regions = computed(() => regionsC.data.value)
  const regionTree = computed(() => buildRegionTree(regionsC.data.value))
  const regionByCode = computed(() => new Map(regionsC.data.value.map((r) => [r.code, r])))
  const roles = computed(() => rolesC.data.value)
  const roleByCode = computed(() => new Map(rolesC.data.value.map((r) => [r.code, r])))
  const permissions = computed(() => permsC.data.value)
  const rules = computed(() => rulesC.data.value)
  const ruleByCode = computed(() => new Map(rulesC.data.value.map((r) => [r.code, r])))
  const ruleFields = computed(() => ruleFieldsC.data.value)

  function clear(): void {
    regionsC.clear()
    rolesC.clear()
    permsC.clear()
    rulesC.clear()
    ruleFieldsC.clear()
  }

  return {
    regions,
    regionTree,
    regionByCode,
    roles,
    roleByCode,
    permissions,
    rules,
    ruleByCode,
    ruleFields,
    loadRegions: regionsC.ensure,
    loadRoles: rolesC.ensure,
    loadPermissions: permsC.ensure,
    loadRules: rulesC.ensure,
    loadRuleFields: ruleFieldsC.ensure,
    clear,
  }
})

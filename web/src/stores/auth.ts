import { computed, ref } from 'vue'
import { defineStore } from 'pinia'
import { authApi } from '@/api'
import { ApiError, UNAUTHENTICATED_CODES } from '@/api/client'
import type { Me } from '@/api/models'
import { scopeText } from '@/utils/labels'

export const useAuthStore = defineStore('auth', () => {
  const me = ref<Me | null>(null)
  /** CSRF token of the current session; sent as X-CSRF-Token on writes. */
  const csrfToken = ref<string | null>(null)
  const mustChangePassword = ref(false)
  const username = ref<string | null>(null)

  const permissions = computed(() => new Set(me.value?.permissions ?? []))
  const can = (perm: string | undefined) => !perm || permissions.value.has(perm)
  const unitName = computed(
    () => me.value?.department_name || me.value?.region_name || '',
  )
  const scopeLabel = computed(() =>
    scopeText(me.value?.scope, me.value?.region_name, me.value?.department_name),
  )

  function setMe(m: Me): void {
    me.value = m
    username.value = m.username
    csrfToken.value = m.csrf_token || csrfToken.value
    mustChangePassword.value = m.must_change_password
  }

  /** Load the current user; null when not logged in (401). */
  async function fetchMe(): Promise<Me | null> {
    try {
      const m = await authApi.me({ skipAuthHandling: true })
      setMe(m)
      return m
    } catch (e) {
      if (e instanceof ApiError && e.status === 401 && UNAUTHENTICATED_CODES.includes(e.code)) {
        reset()
        return null
      }
      throw e
    }
  }

  /** Log in; throws ApiError (invalid credentials, totp_required, locked, …). */
  async function login(user: string, password: string, totpCode?: string): Promise<void> {
    const ans = await authApi.login(user, password, totpCode)
    csrfToken.value = ans.csrf_token
    username.value = ans.username
    mustChangePassword.value = ans.must_change_password
    me.value = null
    await fetchMe()
  }

  async function logout(): Promise<void> {
    try {
      await authApi.logout()
    } finally {
      reset()
    }
  }

  async function changePassword(oldPassword: string, newPassword: string): Promise<void> {
    await authApi.changePassword(oldPassword, newPassword)
    mustChangePassword.value = false
    await fetchMe()
  }

  function reset(): void {
    me.value = null
    csrfToken.value = null
    mustChangePassword.value = false
    username.value = null
  }

  return {
    me,
    csrfToken,
    mustChangePassword,
    username,
    permissions,
    can,
    unitName,
    scopeLabel,
    fetchMe,
    login,
    logout,
    changePassword,
    reset,
  }
})

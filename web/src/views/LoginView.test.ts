import { describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import ElementPlus from 'element-plus'
import { configureClient } from '@/api/client'
import { useAuthStore } from '@/stores/auth'
import { json, useFetchMock } from '@/testing/fetch'
import LoginView from './LoginView.vue'


const ME = {
  username: 'chaoyang',
  display_name: '朝阳运营',
  roles: ['district_operator'],
  role_names: ['区级运营人员'],
  permissions: ['org:read'],
  scope: { kind: 'region', region_code: '110105', department_code: null },
  region_name: '朝阳区',
  department_name: null,
  must_change_password: false,
  totp_enabled: false,
  csrf_token: 'csrf-from-me',
}

const fetchMock = useFetchMock()

async function mountLogin(query = '') {
  const pinia = createPinia()
  setActivePinia(pinia)
  const auth = useAuthStore()
  configureClient({ getCsrfToken: () => auth.csrfToken })
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/login', component: LoginView },
      { path: '/change-password', name: 'change-password', component: { template: '<p>cp</p>' } },
      { path: '/:p(.*)*', component: { template: '<p>app</p>' } },
    ],
  })
  await router.push(`/login${query}`)
  await router.isReady()
  const wrapper = mount(LoginView, { global: { plugins: [pinia, router, ElementPlus] }, attachTo: document.body })
  return { wrapper, router, auth }
}

async function submit(wrapper: Awaited<ReturnType<typeof mountLogin>>['wrapper'], user: string, pw: string) {
  await wrapper.find('[data-testid="login-username"]').setValue(user)
  await wrapper.find('[data-testid="login-password"]').setValue(pw)
  await wrapper.find('form').trigger('submit')
  await flushPromises()
  await new Promise((r) => setTimeout(r, 0))
  await flushPromises()
}


describe('LoginView', () => {
  it('logs in, keeps the CSRF token and goes back to the redirect target', async () => {
    fetchMock
      .mockResolvedValueOnce(json(200, { username: 'chaoyang', must_change_password: false, csrf_token: 'csrf-login' }))
      .mockResolvedValueOnce(json(200, ME))
    const { wrapper, router, auth } = await mountLogin('?redirect=/system/departments%3Fq%3D1')
    await submit(wrapper, 'chaoyang', 'Chaoyang@123')
    const [url, init] = fetchMock.mock.calls[0]!
    expect(url).toBe('/api/v1/auth/login')
    expect(JSON.parse(init!.body as string)).toEqual({ username: 'chaoyang', password: 'Chaoyang@123' })
    expect(auth.csrfToken).toBe('csrf-from-me')
    expect(auth.me?.display_name).toBe('朝阳运营')
    expect(router.currentRoute.value.fullPath).toBe('/system/departments?q=1')
  })

  it('sends a user who must change the password to the change-password page', async () => {
    fetchMock
      .mockResolvedValueOnce(json(200, { username: 'n', must_change_password: true, csrf_token: 't' }))
      .mockResolvedValueOnce(json(200, { ...ME, must_change_password: true }))
    const { wrapper, router } = await mountLogin('?redirect=/audit')
    await submit(wrapper, 'n', 'Init#Pass2024x')
    expect(router.currentRoute.value.path).toBe('/change-password')
    expect(router.currentRoute.value.query.redirect).toBe('/audit')
  })

  it('shows the server message for wrong credentials', async () => {
    fetchMock.mockResolvedValueOnce(
      json(401, { code: 'auth.invalid_credentials', message: '用户名或密码错误', details: null }),
    )
    const { wrapper, router } = await mountLogin()
    await submit(wrapper, 'admin', 'nope')
    const box = wrapper.find('[data-testid="login-error"]')
    expect(box.exists()).toBe(true)
    expect(box.attributes('data-code')).toBe('auth.invalid_credentials')
    expect(box.text()).toContain('用户名或密码错误')
    expect(router.currentRoute.value.path).toBe('/login')
  })

  it('says until when a locked account is locked', async () => {
    fetchMock.mockResolvedValueOnce(
      json(423, { code: 'auth.locked', message: '账户已被锁定', details: { locked_until: '2026-11-21T02:15:00Z' } }),
    )
    const { wrapper } = await mountLogin()
    await submit(wrapper, 'admin', 'x')
    const box = wrapper.find('[data-testid="login-error"]')
    expect(box.attributes('data-code')).toBe('auth.locked')
    expect(box.text()).toContain('账户已被锁定')
    expect(box.text()).toContain('锁定至 2026-11-21 10:15')
  })

  it('asks for the TOTP code when the server requires it, then sends it', async () => {
    fetchMock
      .mockResolvedValueOnce(json(401, { code: 'auth.totp_required', message: '需要动态验证码', details: null }))
      .mockResolvedValueOnce(json(200, { username: 'secadmin', must_change_password: false, csrf_token: 't' }))
      .mockResolvedValueOnce(json(200, ME))
    const { wrapper } = await mountLogin()
    expect(wrapper.find('[data-testid="login-totp"]').exists()).toBe(false)
    await submit(wrapper, 'secadmin', 'Sec@123456')
    const totp = wrapper.find('[data-testid="login-totp"]')
    expect(totp.exists()).toBe(true)
    await totp.setValue('123456')
    await submit(wrapper, 'secadmin', 'Sec@123456')
    expect(JSON.parse(fetchMock.mock.calls[1]![1]!.body as string)).toEqual({
      username: 'secadmin',
      password: 'Sec@123456',
      totp_code: '123456',
    })
  })
})

import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { ElMessage } from 'element-plus'
import { useAuthStore } from '@/stores/auth'
import { showError } from '@/utils/feedback'
import { safeRedirect } from '@/utils/redirect'
import { DETAIL_PAGES, homePath, menuLeaves } from './menu'

declare module 'vue-router' {
  interface RouteMeta {
    title?: string
    /** Title of the menu group (breadcrumb). */
    group?: string
    /** Reachable without a session. */
    public?: boolean
    permission?: string
    /** SPEC ids of a module under construction. */
    spec?: string
    /** Detail pages: the list they belong to (breadcrumb link, active menu entry). */
    parent?: { title: string; path: string }
  }
}

const UnderConstruction = () => import('@/views/UnderConstruction.vue')

const leaves = menuLeaves()
const pages: RouteRecordRaw[] = leaves.map(({ leaf, group }) => ({
  path: leaf.path === '/' ? '' : leaf.path.slice(1),
  name: leaf.name,
  component: leaf.component ?? UnderConstruction,
  meta: { title: leaf.title, group: group?.title, permission: leaf.permission, spec: leaf.spec },
}))

const details: RouteRecordRaw[] = DETAIL_PAGES.map((d) => {
  const parent = leaves.find((l) => l.leaf.name === d.parent)
  if (!parent) throw new Error(`detail page ${d.name}: unknown parent ${d.parent}`)
  return {
    path: d.path.slice(1),
    name: d.name,
    component: d.component,
    meta: {
      title: d.title,
      group: parent.group?.title,
      permission: d.permission ?? parent.leaf.permission,
      parent: { title: parent.leaf.title, path: parent.leaf.path },
    },
  }
})

export const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/LoginView.vue'),
    meta: { title: '登录', public: true },
  },
  {
    path: '/guide',
    name: 'guide-index',
    component: () => import('@/views/guidance/PublicIndexView.vue'),
    meta: { title: '情形引导', public: true },
  },
  {
    // 情形引导 for applicants: no session needed (GUIDE-2).
    path: '/guide/:code',
    name: 'guide',
    component: () => import('@/views/guidance/PublicGuideView.vue'),
    meta: { title: '情形引导', public: true },
  },
  {
    path: '/change-password',
    name: 'change-password',
    component: () => import('@/views/ChangePasswordView.vue'),
    meta: { title: '修改密码' },
  },
  {
    path: '/',
    component: () => import('@/layout/MainLayout.vue'),
    children: [
      ...pages,
      ...details,
      {
        path: 'forbidden',
        name: 'forbidden',
        component: () => import('@/views/ForbiddenView.vue'),
        meta: { title: '无权访问' },
      },
      {
        path: ':pathMatch(.*)*',
        name: 'not-found',
        component: () => import('@/views/NotFoundView.vue'),
        meta: { title: '页面不存在' },
      },
    ],
  },
]

export const router = createRouter({
  history: createWebHistory('/'),
  routes,
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach(async (to) => {
  if (to.meta.public) return true
  const auth = useAuthStore()
  if (!auth.me) {
    try {
      const me = await auth.fetchMe()
      if (!me) return { name: 'login', query: { redirect: to.fullPath } }
    } catch (e) {
      showError(e)
      return { name: 'login', query: { redirect: to.fullPath } }
    }
  }
  if (auth.mustChangePassword && to.name !== 'change-password') {
    return { name: 'change-password', query: { redirect: safeRedirect(to.fullPath) } }
  }
  if (to.meta.permission && !auth.can(to.meta.permission)) {
    // the home page: each role lands on the first page it may use, no dead end
    if (to.name === 'home') {
      const home = homePath((p) => auth.can(p))
      if (home && home !== '/') return { path: home, replace: true }
    }
    return { name: 'forbidden', query: { from: to.fullPath } }
  }
  return true
})

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} - 政务服务数字化运营管理系统` : '政务服务数字化运营管理系统'
})

/** Installed by main.ts as the API client's 401 hook. */
export function goToLogin(sessionExpired: boolean): void {
  const auth = useAuthStore()
  auth.reset()
  const current = router.currentRoute.value
  if (current.name === 'login') return
  if (sessionExpired) ElMessage.warning({ message: '登录已超时，请重新登录', grouping: true })
  void router.push({ name: 'login', query: { redirect: safeRedirect(current.fullPath) } })
}

/** Installed by main.ts as the API client's 403 password_change_required hook. */
export function goToChangePassword(): void {
  const auth = useAuthStore()
  auth.mustChangePassword = true
  const current = router.currentRoute.value
  if (current.name === 'change-password') return
  void router.push({ name: 'change-password', query: { redirect: safeRedirect(current.fullPath) } })
}

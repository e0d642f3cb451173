// The sidebar menu (names fixed, see UI.md) and, from it, the app's pages.
// A leaf without `component` is a module not built yet: it shows the honest
// 建设中 page naming its SPEC requirement ids.
import type { Component } from 'vue'
import type { RouteComponent } from 'vue-router'
import {
  Connection,
  DataAnalysis,
  DocumentChecked,
  Guide,
  Lock,
  Odometer,
  Setting,
  Tickets,
  TrendCharts,
} from '@element-plus/icons-vue'

export interface MenuLeaf {
  path: string
  name: string
  title: string
  icon?: Component
  /** Permission needed to see and open it. */
  permission?: string
  /** SPEC requirement ids of a module under construction. */
  spec?: string
  component?: () => Promise<RouteComponent>
}

export interface MenuGroup {
  key: string
  title: string
  icon: Component
  children: MenuLeaf[]
}

export type MenuEntry = MenuLeaf | MenuGroup

export const isGroup = (e: MenuEntry): e is MenuGroup => 'children' in e

export const MENU: MenuEntry[] = [
  {
    path: '/',
    name: 'home',
    title: '首页看板',
    icon: Odometer,
    spec: 'DASH-1..5',
    // the dashboard reads data; without it a user's home is its first page (homePath)
    permission: 'data:read',
    component: () => import('@/views/HomeView.vue'),
  },
  {
    key: 'aggregation',
    title: '数据汇聚',
    icon: Connection,
    children: [
      { path: '/aggregation/items', name: 'agg-items', title: '事项目录', permission: 'item:read', component: () => import('@/views/aggregation/ItemsView.vue') },
      { path: '/aggregation/consultations', name: 'agg-consultations', title: '咨询数据', permission: 'data:read', component: () => import('@/views/aggregation/ConsultationsView.vue') },
      { path: '/aggregation/linking', name: 'agg-linking', title: '关联分析', permission: 'data:read', component: () => import('@/views/aggregation/LinkingView.vue') },
      { path: '/aggregation/cases', name: 'agg-cases', title: '办件数据', permission: 'data:read', component: () => import('@/views/aggregation/CasesView.vue') },
      { path: '/aggregation/evaluations', name: 'agg-evaluations', title: '评价数据', permission: 'data:read', component: () => import('@/views/aggregation/EvaluationsView.vue') },
      { path: '/aggregation/sources', name: 'agg-sources', title: '汇聚规则', permission: 'data:read', component: () => import('@/views/aggregation/SourcesView.vue') },
      { path: '/aggregation/reconciliation', name: 'agg-reconciliation', title: '对账统计', permission: 'data:read', component: () => import('@/views/aggregation/ReconciliationView.vue') },
    ],
  },
  {
    key: 'monitor',
    title: '监测预警',
    icon: DataAnalysis,
    children: [
      { path: '/monitoring/warnings', name: 'mon-warnings', title: '预警信息', permission: 'warning:read', component: () => import('@/views/monitoring/WarningsView.vue') },
      { path: '/monitoring/rules', name: 'mon-rules', title: '预警规则', permission: 'warning:read', component: () => import('@/views/monitoring/RulesView.vue') },
      { path: '/monitoring/simulation', name: 'mon-simulation', title: '规则仿真', permission: 'rule:write', component: () => import('@/views/monitoring/SimulationView.vue') },
      { path: '/monitoring/messages', name: 'mon-messages', title: '消息中心', permission: 'warning:read', component: () => import('@/views/monitoring/MessagesView.vue') },
    ],
  },
  {
    key: 'evaluation',
    title: '质效评价',
    icon: TrendCharts,
    children: [
      { path: '/evaluation/indicators', name: 'eval-indicators', title: '指标库', permission: 'evaluation:read', component: () => import('@/views/evaluation/IndicatorsView.vue') },
      { path: '/evaluation/indicator-alerts', name: 'eval-alerts', title: '指标预警', permission: 'evaluation:read', component: () => import('@/views/evaluation/AlertRulesView.vue') },
      { path: '/evaluation/scoring-rules', name: 'eval-scoring', title: '赋分规则', permission: 'evaluation:read', component: () => import('@/views/evaluation/SchemesView.vue') },
      { path: '/evaluation/results', name: 'eval-results', title: '评价结果', permission: 'evaluation:read', component: () => import('@/views/evaluation/ResultsView.vue') },
      { path: '/evaluation/appeals', name: 'eval-appeals', title: '申诉管理', permission: 'workorder:read', component: () => import('@/views/workorders/WorkOrdersView.vue') },
      { path: '/evaluation/rectifications', name: 'eval-rectifications', title: '整改工单', permission: 'workorder:read', component: () => import('@/views/workorders/WorkOrdersView.vue') },
    ],
  },
  {
    key: 'workorders',
    title: '工单管理',
    icon: Tickets,
    children: [
      { path: '/workorders', name: 'wo-workbench', title: '工单工作台', permission: 'workorder:read', component: () => import('@/views/workorders/WorkOrdersView.vue') },
      { path: '/workorders/item-changes', name: 'wo-item-changes', title: '事项变更', permission: 'workorder:read', component: () => import('@/views/workorders/WorkOrdersView.vue') },
      { path: '/workorders/stats', name: 'wo-stats', title: '工单统计', permission: 'workorder:read', component: () => import('@/views/workorders/WorkOrderStatsView.vue') },
    ],
  },
  {
    key: 'quality',
    title: '数据质检',
    icon: DocumentChecked,
    children: [
      { path: '/quality', name: 'quality', title: '质检任务', permission: 'data:read', component: () => import('@/views/quality/QualityView.vue') },
      { path: '/quality/code-lists', name: 'quality-code-lists', title: '代码表', permission: 'data:read', component: () => import('@/views/quality/CodeListsView.vue') },
    ],
  },
  {
    key: 'guidance',
    title: '情形引导',
    icon: Guide,
    children: [
      { path: '/guidance/trees', name: 'guidance-trees', title: '情形配置', permission: 'guidance:read', component: () => import('@/views/guidance/TreesView.vue') },
      { path: '/guidance/tolerance', name: 'guidance-tolerance', title: '容缺受理', permission: 'guidance:read', component: () => import('@/views/guidance/ToleranceView.vue') },
      { path: '/guidance/dishonest', name: 'guidance-dishonest', title: '失信名单', permission: 'guidance:read', component: () => import('@/views/guidance/DishonestView.vue') },
      { path: '/guidance/stats', name: 'guidance-stats', title: '引导统计', permission: 'guidance:read', component: () => import('@/views/guidance/GuidanceStatsView.vue') },
    ],
  },
  {
    key: 'system',
    title: '系统管理',
    icon: Setting,
    children: [
      { path: '/system/users', name: 'users', title: '用户管理', permission: 'user:read', component: () => import('@/views/system/UsersView.vue') },
      { path: '/system/roles', name: 'roles', title: '角色管理', permission: 'role:read', component: () => import('@/views/system/RolesView.vue') },
      { path: '/system/departments', name: 'departments', title: '部门管理', permission: 'org:read', component: () => import('@/views/system/DepartmentsView.vue') },
      { path: '/system/regions', name: 'regions', title: '区划管理', permission: 'org:read', component: () => import('@/views/system/RegionsView.vue') },
      { path: '/system/calendar', name: 'calendar', title: '工作日历', permission: 'org:read', component: () => import('@/views/system/CalendarView.vue') },
      { path: '/system/tokens', name: 'tokens', title: '接口令牌', permission: 'token:manage', component: () => import('@/views/system/TokensView.vue') },
      { path: '/system/policy', name: 'policy', title: '安全策略', permission: 'policy:read', component: () => import('@/views/system/PolicyView.vue') },
      { path: '/system/exports', name: 'exports', title: '导出任务', permission: 'data:read', component: () => import('@/views/exports/ExportsView.vue') },
    ],
  },
  {
    key: 'security',
    title: '安全审计',
    icon: Lock,
    children: [
      { path: '/audit', name: 'audit', title: '审计日志', permission: 'audit:read', component: () => import('@/views/audit/AuditView.vue') },
    ],
  },
]

/** A page reached from a list (not in the menu): breadcrumb, permission and active menu entry of its list. */
export interface DetailPage {
  path: string
  name: string
  title: string
  /** `name` of the menu leaf it belongs to. */
  parent: string
  /** Permission needed when it differs from its list's (e.g. creating needs a write permission). */
  permission?: string
  component: () => Promise<RouteComponent>
}

export const DETAIL_PAGES: DetailPage[] = [
  { path: '/aggregation/items/:itemCode', name: 'agg-item', title: '事项详情', parent: 'agg-items', component: () => import('@/views/aggregation/ItemDetailView.vue') },
  { path: '/aggregation/cases/:caseCode', name: 'agg-case', title: '办件详情', parent: 'agg-cases', component: () => import('@/views/aggregation/CaseDetailView.vue') },
  { path: '/monitoring/warnings/:id', name: 'mon-warning', title: '预警详情', parent: 'mon-warnings', component: () => import('@/views/monitoring/WarningDetailView.vue') },
  { path: '/monitoring/rules/new', name: 'mon-rule-new', title: '新增规则', parent: 'mon-rules', permission: 'rule:write', component: () => import('@/views/monitoring/RuleEditView.vue') },
  { path: '/workorders/orders/:code', name: 'wo-detail', title: '工单详情', parent: 'wo-workbench', component: () => import('@/views/workorders/WorkOrderDetailView.vue') },
  { path: '/guidance/trees/new', name: 'guidance-tree-new', title: '新增情形', parent: 'guidance-trees', permission: 'guidance:write', component: () => import('@/views/guidance/TreeEditView.vue') },
  { path: '/guidance/trees/:code', name: 'guidance-tree', title: '情形详情', parent: 'guidance-trees', component: () => import('@/views/guidance/TreeEditView.vue') },
  { path: '/monitoring/rules/:code', name: 'mon-rule', title: '规则详情', parent: 'mon-rules', component: () => import('@/views/monitoring/RuleEditView.vue') },
]

/** The menu as the user may see it: leaves lacking permission and empty groups dropped. */
export function visibleMenu(menu: MenuEntry[], can: (perm?: string) => boolean): MenuEntry[] {
  const out: MenuEntry[] = []
  for (const e of menu) {
    if (isGroup(e)) {
      const children = e.children.filter((c) => can(c.permission))
      if (children.length) out.push({ ...e, children })
    } else if (can(e.permission)) {
      out.push(e)
    }
  }
  return out
}

/** Every leaf with the title of its group (for routes and breadcrumbs). */
export function menuLeaves(menu: MenuEntry[] = MENU): { leaf: MenuLeaf; group?: MenuGroup }[] {
  return menu.flatMap((e) => (isGroup(e) ? e.children.map((leaf) => ({ leaf, group: e })) : [{ leaf: e }]))
}

/**
 * Where a user lands (`/` and after login): the dashboard when allowed, else
 * the first built page of the menu the user may use (the audit admin's is
 * 审计日志); null when there is none.
 */
export function homePath(can: (perm?: string) => boolean, menu: MenuEntry[] = MENU): string | null {
  const usable = menuLeaves(visibleMenu(menu, can)).find(({ leaf }) => leaf.component)
  return usable ? usable.leaf.path : null
}

// Situation trees in the browser: which questions show, which options the
// exclusions rule out, blank parts for the editor, labels for paths. The
// server decides again on every answer; these only guide the user.
import type {
  GuidanceOption,
  GuidanceQuestion,
  OptionRef,
  TreeBody,
  TreeInput,
  TreeStatus,
} from '@/api/models'

export type Answers = Record<string, string[]>

/**
 * The tree the editor holds: its code and every top-level list present
 * (the API may leave out empty lists; emptyTree() fills them in).
 */
export type TreeDraft = TreeInput &
  Required<Pick<TreeBody, 'description' | 'notices' | 'items' | 'materials' | 'exclusions'>> & { code: string }

export const STATUS_LABEL: Record<TreeStatus, string> = {
  draft: '草稿',
  published: '已发布',
  changed: '已发布（有新草稿）',
}

export const KIND_LABEL = { item: '单一事项', theme: '一件事' } as const

/** Whether `q` is shown for these answers (its parent answered with one of the named options). */
export function isShown(q: GuidanceQuestion, answers: Answers): boolean {
  if (!q.depends_on) return true
  const picked = answers[q.depends_on.question] ?? []
  return picked.some((o) => q.depends_on?.options.includes(o))
}

/** The questions shown, in order, for these answers. */
export function shownQuestions(body: TreeBody, answers: Answers): GuidanceQuestion[] {
  return body.questions.filter((q) => isShown(q, answers))
}

/** Answers without those of questions no longer shown (a parent answer changed). */
export function keepShown(body: TreeBody, answers: Answers): Answers {
  const kept: Answers = {}
  for (const q of body.questions) {
    if (answers[q.code]?.length && isShown(q, kept)) kept[q.code] = answers[q.code]
  }
  return kept
}

const same = (a: OptionRef, b: OptionRef) => a.question === b.question && a.option === b.option

/** Why `option` of `question` cannot be chosen with the other answers, or null. */
export function excludedBy(body: TreeBody, answers: Answers, question: string, option: string): string | null {
  const me = { question, option }
  for (const e of body.exclusions ?? []) {
    if (!e.options.some((r) => same(r, me))) continue
    const clash = e.options.find(
      (r) => !same(r, me) && (answers[r.question] ?? []).includes(r.option) && !(r.question === question && !isMultiple(body, question)),
    )
    if (clash) return e.reason || `不能与“${optionLabel(body, clash.question, clash.option)}”同时选择`
  }
  return null
}

function isMultiple(body: TreeBody, question: string): boolean {
  return body.questions.find((q) => q.code === question)?.multiple ?? false
}

export function optionLabel(body: TreeBody, question: string, option: string): string {
  return body.questions.find((q) => q.code === question)?.options.find((o) => o.code === option)?.label ?? option
}

/** Every shown question answered. */
export function complete(body: TreeBody, answers: Answers): boolean {
  return shownQuestions(body, answers).every((q) => (answers[q.code] ?? []).length > 0)
}

/** The API form of the answers: one code for a single-choice question, a list otherwise. */
export function apiAnswers(body: TreeBody, answers: Answers): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const q of shownQuestions(body, answers)) {
    const picked = answers[q.code] ?? []
    if (picked.length) out[q.code] = q.multiple ? picked : picked[0]
  }
  return out
}

/** `q1=a;q2=b+c` in words: 问题：选项；… */
export function pathLabel(body: TreeBody | undefined, path: string): string {
  if (!body) return path
  return path
    .split(';')
    .filter(Boolean)
    .map((part) => {
      const [q, opts = ''] = part.split('=')
      const title = body.questions.find((x) => x.code === q)?.title ?? q
      return `${title.replace(/[？?（(].*$/, '')}：${opts.split('+').map((o) => optionLabel(body, q, o)).join('、')}`
    })
    .join('；')
}

export function emptyEffects(): NonNullable<GuidanceOption['effects']> {
  return { items: [], materials: [], notices: [], waives: [] }
}

export function emptyOption(n: number): GuidanceOption {
  return { code: `o${n}`, label: '', effects: emptyEffects() }
}

export function emptyQuestion(n: number): GuidanceQuestion {
  return { code: `q${n}`, title: '', multiple: false, depends_on: null, options: [emptyOption(1), emptyOption(2)] }
}

export function emptyTree(): TreeDraft {
  return {
    code: '',
    name: '',
    kind: 'theme',
    description: '',
    notices: [],
    items: [],
    materials: [],
    questions: [emptyQuestion(1)],
    exclusions: [],
  }
}

/** A code not yet used among `codes`: prefix + the next number. */
export function nextCode(prefix: string, codes: string[]): string {
  let n = codes.length + 1
  while (codes.includes(`${prefix}${n}`)) n += 1
  return `${prefix}${n}`
}

/** Server field paths (`questions[0].options[1].code`) in words for the editor's error list. */
export function problemLabel(body: TreeBody, path: string): string {
  const q = /^questions\[(\d+)\](?:\.options\[(\d+)\])?/.exec(path)
  if (q) {
    const question = body.questions[Number(q[1])]
    const head = `问题${Number(q[1]) + 1}${question?.title ? `“${question.title}”` : ''}`
    if (q[2] !== undefined) {
      const option = question?.options[Number(q[2])]
      return `${head} 选项${Number(q[2]) + 1}${option?.label ? `“${option.label}”` : ''}`
    }
    return head
  }
  const m = /^(materials|items|exclusions|notices)\[(\d+)\]/.exec(path)
  if (m) {
    const kind = { materials: '材料', items: '事项', exclusions: '互斥关系', notices: '通用提示' }[m[1]]
    return `${kind}${Number(m[2]) + 1}`
  }
  return path === 'name' ? '名称' : path === 'code' ? '编码' : path
}

// Day.js speaks zh-CN too: Element Plus date pickers take the week start from
// Day.js's locale, and without the zh-cn locale loaded they start on Sunday.
// zh-CN weeks start on Monday (周一).
import dayjs from 'dayjs'
import 'dayjs/locale/zh-cn'

dayjs.locale('zh-cn')

export const DAYJS_LOCALE = 'zh-cn'

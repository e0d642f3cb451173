import { createApp } from 'vue'
import { createPinia } from 'pinia'
import ElementPlus from 'element-plus'
import zhCn from 'element-plus/es/locale/lang/zh-cn'
import 'element-plus/dist/index.css'
import './styles.css'
import './utils/locale'
import App from './App.vue'
import { configureClient } from './api/client'
import { goToChangePassword, goToLogin, router } from './router'
import { useAuthStore } from './stores/auth'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
app.use(ElementPlus, { locale: zhCn, size: 'default' })

const auth = useAuthStore(pinia)
configureClient({
  getCsrfToken: () => auth.csrfToken,
  onUnauthenticated: (err) => goToLogin(err.code === 'auth.session_expired'),
  onPasswordChangeRequired: () => goToChangePassword(),
  refreshCsrfToken: async () => (await auth.fetchMe())?.csrf_token ?? null,
})

app.use(router)
app.mount('#app')

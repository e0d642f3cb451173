// Detail pages: load one object (by the route's param) with loading and
// not-found states; out-of-scope objects answer 404 like missing ones.
import { onMounted, ref, shallowRef, type Ref } from 'vue'
import { ApiError } from '@/api/client'
import { showError } from '@/utils/feedback'

export function useDetailPage<T>(load: () => Promise<T>) {
  const data = shallowRef(null) as Ref<T | null>
  const loading = ref(false)
  const notFound = ref(false)

  async function reload(): Promise<void> {
    loading.value = true
    try {
      data.value = await load()
      notFound.value = false
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) notFound.value = true
      else showError(e)
    } finally {
      loading.value = false
    }
  }

  onMounted(() => void reload())
  return { data, loading, notFound, reload }
}

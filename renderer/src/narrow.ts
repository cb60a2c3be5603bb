import { onScopeDispose, ref, type Ref } from 'vue'

/** Below this width the side panel folds away and the tables tighten (see styles.css). */
export const NARROW_QUERY = '(max-width: 1099px)'

/** Whether the window is narrow, following resizes. */
export function useNarrow(): Ref<boolean> {
  const query = window.matchMedia(NARROW_QUERY)
  const narrow = ref(query.matches)
  const update = (): void => void (narrow.value = query.matches)
  query.addEventListener('change', update)
  onScopeDispose(() => query.removeEventListener('change', update))
  return narrow
}

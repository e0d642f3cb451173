// Print a plain-text document (a commitment) in its own window: the text is
// set as text content, never parsed as HTML.
export function printText(title: string, text: string): void {
  const w = window.open('', '_blank', 'width=800,height=900')
  if (!w) return
  w.document.title = title
  const pre = w.document.createElement('pre')
  pre.textContent = text
  pre.style.cssText = 'white-space: pre-wrap; font: 16px/2 "SimSun", "Songti SC", serif; margin: 48px;'
  w.document.body.appendChild(pre)
  w.focus()
  w.print()
}

/** GET /ui/app.css. System fonts, no images; status is told in words, colour only repeats it. */
export const UI_CSS = `
:root { color-scheme: light dark; --fg: #1b1b1b; --bg: #fff; --muted: #5a5a5a; --line: #c8c8c8; --accent: #0b57d0; --new: #8a4b00; --head: #f2f2f2; }
@media (prefers-color-scheme: dark) { :root { --fg: #e8e8e8; --bg: #141414; --muted: #a8a8a8; --line: #444; --accent: #8ab4f8; --new: #ffb86b; --head: #222; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.4 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header, main { padding: 0 1rem; }
h1 { font-size: 1.3rem; margin: .6rem 0; }
h2 { font-size: 1.15rem; margin: .8rem 0 .3rem; }
a { color: var(--accent); }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: .5rem; background: var(--bg); padding: .3rem; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .3rem 1rem; padding: 0; margin: 0; }
nav a { padding: .3rem 0; display: inline-block; }
nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
.live { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; }
.live p { margin: .4rem 0; }
#error { border: 2px solid #b3261e; padding: .4rem; }
#error::before { content: "Error: "; font-weight: 700; }
.help { color: var(--muted); margin: 0 0 .5rem; max-width: 70rem; }
.off { border-left: 4px solid var(--muted); padding-left: .5rem; }
.controls, form { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; margin: .5rem 0; }
.field { display: flex; flex-direction: column; min-width: 0; }
.field.check { flex-direction: row; gap: .3rem; align-items: center; }
label { font-size: .85rem; color: var(--muted); }
input, select, button { font: inherit; padding: .3rem .4rem; max-width: 100%; }
select { max-width: 14rem; }
button { cursor: pointer; }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.buttons { display: flex; flex-wrap: wrap; gap: .5rem; }
.count, .note { margin: .3rem 0; }
.note { color: var(--muted); }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: 600; padding: .2rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--head); white-space: nowrap; }
td { overflow-wrap: anywhere; }
td.nowrap { white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
th button.sort { background: none; border: 0; padding: 0; font-weight: 700; color: inherit; }
.holders { margin: 0; padding-left: 1rem; }
.muted { color: var(--muted); }
.badge-new { color: var(--new); border: 1px solid currentColor; padding: 0 .3rem; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
.facts dt { font-weight: 600; }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.more { margin: .5rem 0; }
@media (max-width: 600px) {
  header, main { padding: 0 .5rem; }
  .controls .field { flex: 1 1 45%; }
  select { max-width: 100%; }
  .facts { grid-template-columns: 1fr; }
  .facts dd { margin-bottom: .4rem; }
}
`;

/** The report's stylesheet, inlined into the page (no external resources). */
export const STYLE = `
:root { --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #cf222e; --fail-bg: #ffebe9; --muted: #6e7781; --line: #d8dee4; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #f6f8fa; }
header { padding: 20px 32px 12px; background: white; border-bottom: 1px solid var(--line); }
h1 { margin: 0; font-size: 22px; }
h2 { margin: 32px 0 12px; font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { margin: 0 0 8px; font-size: 16px; }
main { padding: 0 32px 32px; max-width: 1400px; }
nav a { margin-right: 14px; color: #0969da; text-decoration: none; }
.subject { margin: 4px 0; color: var(--muted); }
.overall { margin: 8px 0; }
.partial { margin: 8px 0; padding: 6px 10px; border-left: 4px solid var(--fail); background: #fff4e5; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; line-height: 20px; }
.badge.pass { color: var(--pass); background: var(--pass-bg); }
.badge.fail { color: var(--fail); background: var(--fail-bg); }
.finding { background: white; border: 1px solid var(--line); border-left: 4px solid var(--pass); border-radius: 6px; padding: 16px; margin: 16px 0; }
.finding.fail { border-left-color: var(--fail); }
.matcher { font-size: 13px; color: var(--muted); }
.test { margin: 0 0 8px; color: var(--muted); font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.claim, .expect { margin: 4px 0; }
.verdict { margin: 8px 0; padding-left: 18px; list-style: none; }
.verdict .ok { color: var(--pass); } .verdict .bad { color: var(--fail); }
.tables { display: flex; flex-wrap: wrap; gap: 16px; margin: 12px 0; }
table { border-collapse: collapse; background: white; font-size: 13px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; caption-side: top; max-width: 640px; }
th, td { padding: 3px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; text-align: left; background: #f6f8fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.text { text-align: left; }
td.ok { color: var(--pass); font-weight: 700; text-align: center; } td.bad { color: var(--fail); font-weight: 700; text-align: center; }
.charts { display: flex; flex-wrap: wrap; gap: 16px; margin: 12px 0; }
figure.chart { margin: 0; padding: 8px; background: white; border: 1px solid var(--line); border-radius: 6px; max-width: 100%; overflow-x: auto; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 12px; max-width: 640px; margin-top: 4px; }
details.provenance { margin-top: 12px; } details.provenance summary { cursor: pointer; color: var(--muted); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; }
dt { font-weight: 600; color: var(--muted); } dd { margin: 0; word-break: break-word; }
dd ul { margin: 0; padding-left: 18px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f8fa; border: 1px solid var(--line); padding: 8px; font-size: 12px; max-height: 400px; overflow: auto; }
.state { font-weight: 600; } .state.passed { color: var(--pass); } .state.failed { color: var(--fail); } .state.skipped, .state.pending { color: var(--muted); }
.empty, .muted { color: var(--muted); }
table.summary td, table.tests td { vertical-align: top; }
table.runs { margin: 12px 0; } table.runs tr.shown td { background: #fff8c5; }
.runs { color: var(--muted); margin: 4px 0; }
.see { margin: 8px 0; color: var(--muted); }
footer { padding: 16px 32px; color: var(--muted); font-size: 12px; }
`;

/** The console's one stylesheet, served at /static/console.css. */
export const CONSOLE_CSS = `
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f5f6f8}
header{display:flex;align-items:center;gap:14px;padding:10px 24px;background:#17324d;color:#fff}
header a{color:#fff;text-decoration:none}.brand{font-weight:700;font-size:18px}.sub{opacity:.75}
header nav{display:flex;align-items:center;gap:14px;margin-left:24px;flex:1}header nav a{padding:4px 8px;border-radius:4px}
header nav a.active,header nav a:hover{background:#2b5278}.who{margin-left:auto;opacity:.85}
form.inline{display:inline}header button{background:#2b5278;color:#fff;border:1px solid #5c86ad;border-radius:4px;padding:3px 10px;cursor:pointer}
main{padding:16px 24px;max-width:1400px}h1{font-size:22px;margin:6px 0 14px}h2{font-size:16px;margin:22px 0 8px;color:#17324d}
table{border-collapse:collapse;background:#fff;width:100%;box-shadow:0 1px 2px rgba(0,0,0,.08)}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e3e6ea;vertical-align:top}th{background:#eef1f4;font-weight:600}
tr.failure td,tr.rejected td,tr.aborted td{background:#fff1f0}tr.warning td{background:#fff8e6}
td.ok{color:#2f7d32}td.bad{color:#c62828;font-weight:600}small{color:#5a6472}
.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:flex-end;background:#fff;padding:12px;border-radius:6px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.filters label,.login label{display:flex;flex-direction:column;font-size:12px;color:#5a6472;gap:2px}
input,select{font:inherit;padding:5px 7px;border:1px solid #c4cad1;border-radius:4px;min-width:120px}
button,.button{font:inherit;background:#1f5f99;color:#fff;border:0;border-radius:4px;padding:6px 14px;cursor:pointer;text-decoration:none;display:inline-block}
.cards{display:flex;gap:12px;margin:14px 0}.card{background:#fff;padding:10px 16px;border-radius:6px;box-shadow:0 1px 2px rgba(0,0,0,.08);min-width:140px}
.card b{display:block;font-size:22px}.card.bad b{color:#c62828}
.chart,.sequence{background:#fff;border-radius:6px;box-shadow:0 1px 2px rgba(0,0,0,.08);max-width:100%;height:auto}
.chart text,.sequence text{font:11px system-ui,sans-serif;fill:#444}.chart .grid{stroke:#e6e9ed}
.sequence .actor{fill:#eef3f8;stroke:#17324d}.sequence .actor-label{font-weight:600;font-size:12px;fill:#17324d}
.sequence .lifeline{stroke:#9aa5b1;stroke-dasharray:4 4}.sequence .msg{font-size:12px;font-weight:600}.sequence .note{fill:#5a6472}
.sequence .time{fill:#8a939e;font-family:ui-monospace,monospace}
.explain{background:#fff1f0;border-left:4px solid #c62828;padding:4px 14px;border-radius:4px}
.error{color:#c62828;font-weight:600}.empty,.hint{color:#5a6472}.count{margin:12px 0}
.login{display:flex;flex-direction:column;gap:12px;max-width:320px;background:#fff;padding:20px;border-radius:6px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
nav.pages{margin:12px 0;display:flex;gap:16px}.report-head p{margin:6px 0}
`;

namespace ScaleLab.Reports.Dashboard;

/// <summary>
/// The dashboard's one page: plain HTML, CSS and a script written here (no CDN, nothing fetched but the two JSON
/// documents of <see cref="DashboardJson"/>). It polls every two seconds, so a curve gains points while a run trains;
/// plots are SVG with log axes where sizes span decades, and every point's value shows on hover (an SVG title).
/// </summary>
public static class DashboardPage
{
    /// <summary>How often the page asks again, in milliseconds: often enough to watch an epoch end, cheap to answer.</summary>
    public const int PollMilliseconds = 2000;

    public static string Html => """
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ScaleLab dashboard</title>
<style>
body{font:14px system-ui,sans-serif;margin:0;display:flex;color:#222}
nav{width:260px;border-right:1px solid #ddd;padding:12px;min-height:100vh;background:#fafafa}
nav a{display:block;padding:6px;border-radius:4px;color:#114;text-decoration:none}
nav a.sel{background:#dde6ff} main{padding:16px;flex:1}
table{border-collapse:collapse;margin:8px 0} td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right}
td:first-child,th:first-child{text-align:left} .st{font-size:12px;color:#555} svg{background:#fff;border:1px solid #ddd}
</style></head><body>
<nav><h3>ScaleLab</h3><div id="entries">loading…</div></nav>
<main id="main"><p>Choose a run or sweep.</p></main>
<script>
const token = new URLSearchParams(location.search).get('token');
const q = token ? '?token=' + encodeURIComponent(token) : '';
let current = null;
const fmt = (v, d = 4) => v === null || v === undefined ? '–' : Number(v).toPrecision(d);
const count = n => n >= 1e9 ? (n / 1e9).toFixed(2) + ' B' : n >= 1e6 ? (n / 1e6).toFixed(2) + ' M' : n >= 1e3 ? (n / 1e3).toFixed(1) + ' K' : String(n);
const esc = s => String(s).replace(/[&<>"]/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]));
async function getJson(path) { const r = await fetch(path + q); if (!r.ok) throw new Error(path + ': ' + r.status); return r.json(); }

function plot(title, xLabel, yLabel, series, logX) {
  const W = 560, H = 300, L = 60, B = 40, T = 28, R = 34;   // R: room for the last x tick label ("550.4 K")
  const pts = series.flatMap(s => s.points);
  if (pts.length === 0) return `<p>${esc(title)}: no points yet</p>`;
  const tx = v => logX ? Math.log10(v) : v;
  let x0 = Math.min(...pts.map(p => tx(p[0]))), x1 = Math.max(...pts.map(p => tx(p[0])));
  let y0 = Math.min(...pts.map(p => p[1])), y1 = Math.max(...pts.map(p => p[1]));
  if (x1 === x0) { x0 -= 1; x1 += 1; } if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  const sx = v => L + (tx(v) - x0) / (x1 - x0) * (W - L - R), sy = v => H - B - (v - y0) / (y1 - y0) * (H - B - T);
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf', '#7f7f7f'];
  let svg = `<svg width="${W}" height="${H}" role="img" aria-label="${esc(title)}"><text x="${W / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(title)}</text>`;
  svg += `<text x="${W / 2}" y="${H - 6}" text-anchor="middle">${esc(xLabel)}</text><text transform="translate(14 ${H / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`;
  for (let i = 0; i <= 4; i++) {
    const yv = y0 + (y1 - y0) * i / 4, xv = x0 + (x1 - x0) * i / 4, xr = logX ? Math.pow(10, xv) : xv;
    svg += `<text x="${L - 4}" y="${sy(yv) + 4}" text-anchor="end" font-size="11">${fmt(yv, 3)}</text>`;
    svg += `<text x="${L + (xv - x0) / (x1 - x0) * (W - L - R)}" y="${H - B + 14}" text-anchor="middle" font-size="11">${logX ? count(Math.round(xr)) : fmt(xr, 3)}</text>`;
  }
  series.forEach((s, i) => {
    const c = s.color || colors[i % colors.length];
    if (s.line && s.points.length > 1) svg += `<polyline fill="none" stroke="${c}" stroke-width="${s.dash ? 1.5 : 2}" ${s.dash ? 'stroke-dasharray="5 4"' : ''} points="${s.points.map(p => sx(p[0]) + ',' + sy(p[1])).join(' ')}"/>`;
    if (!s.dash) s.points.forEach(p => svg += `<circle class="pt" cx="${sx(p[0])}" cy="${sy(p[1])}" r="3.5" fill="${c}"><title>${esc(s.name)}: ${fmt(p[0])}, ${fmt(p[1])}</title></circle>`);
  });
  svg += series.map((s, i) => `<text x="${W - R - 4}" y="${T + 14 * (i + 1)}" text-anchor="end" font-size="11" fill="${s.color || colors[i % colors.length]}">${esc(s.name)}</text>`).slice(0, 8).join('');
  return svg + '</svg>';
}

function render(e) {
  let h = `<h2>${esc(e.name)}</h2><p class="st">${e.kind}, ${e.trials.length} trial(s)</p>`;
  if (e.trials.length > 0) h += '<table id="trials"><tr><th>trial</th><th>status</th><th>parameters</th><th>best val loss</th><th>val accuracy</th><th>epochs</th></tr>';
  for (const t of e.trials) h += `<tr><td>${esc(t.label)}</td><td>${t.status}</td><td>${count(t.parameters)}</td><td>${fmt(t.best_val_loss)}</td><td>${t.val_accuracy === null ? '–' : (100 * t.val_accuracy).toFixed(2) + ' %'}</td><td>${t.epochs.length}</td></tr>`;
  if (e.trials.length > 0) h += '</table>';
  const curves = e.trials.flatMap(t => [
    {name: t.label + ' val', line: true, points: t.epochs.filter(p => p.val_loss !== null).map(p => [p.epoch, p.val_loss])},
    {name: t.label + ' train', line: true, dash: e.trials.length > 1, points: t.epochs.filter(p => p.train_loss !== null).map(p => [p.epoch, p.train_loss])}]);
  if (e.trials.length > 0) h += `<div id="curves">${plot('Learning curves', 'epoch', 'loss', curves, false)}</div>`;
  if (e.kind === 'sweep') {
    const done = e.trials.filter(t => t.best_val_loss !== null && t.parameters > 0);
    const series = [{name: 'best val loss', points: done.map(t => [t.parameters, t.best_val_loss])}];
    if (e.fit) {
      const xs = done.map(t => t.parameters), lo = Math.min(...xs), hi = Math.max(...xs), law = [];
      for (let i = 0; i <= 40; i++) { const n = lo * Math.pow(hi / lo, i / 40); law.push([n, e.fit.e + e.fit.a * Math.pow(n, -e.fit.alpha)]); }
      series.push({name: 'fit: ' + e.fit.text, line: true, dash: true, color: '#444', points: law});
    }
    h += `<div id="scaling">${plot('Validation loss vs parameters', 'parameters (log)', 'best validation loss', series, true)}</div>`;
  }
  if (e.compression.length > 0) {
    h += '<h3>Compression</h3><table id="compression"><tr><th>variant</th><th>accuracy</th><th>file</th><th>latency (batch 64)</th></tr>';
    for (const c of e.compression) h += `<tr><td>${esc(c.label)}</td><td>${(100 * c.accuracy).toFixed(2)} %</td><td>${count(c.file_bytes)}B</td><td>${(1000 * c.latency_batch64_seconds).toFixed(2)} ms</td></tr>`;
    h += '</table>';
  }
  if (e.verify.length > 0) {
    const pct = v => v === null ? '–' : (v >= 0 ? '+' : '') + (100 * v).toFixed(1) + ' %';
    h += '<h3>Estimate vs measured (verify)</h3><table id="verify"><tr><th>model</th><th>batch</th><th>memory estimated</th><th>measured</th><th>error</th><th>step time predicted</th><th>measured</th><th>error</th><th>within tolerance</th></tr>';
    for (const v of e.verify) h += `<tr><td>${esc(v.model)}</td><td>${v.batch}</td><td>${count(v.estimated_bytes)}B</td><td>${count(v.measured_bytes)}B</td><td>${pct(v.memory_error)}</td><td>${v.predicted_seconds_per_step === null ? '–' : (1000 * v.predicted_seconds_per_step).toFixed(2) + ' ms'}</td><td>${(1000 * v.measured_seconds_per_step).toFixed(2)} ms</td><td>${pct(v.time_error)}</td><td>${v.within_tolerance ? 'yes' : 'no'}</td></tr>`;
    h += '</table>';
  }
  document.getElementById('main').innerHTML = h;
}

async function refresh() {
  try {
    const listing = await getJson('/api/entries');
    document.getElementById('entries').innerHTML = listing.entries.map(e =>
      `<a href="#${encodeURIComponent(e.id)}" class="${e.id === current ? 'sel' : ''}">${esc(e.name)}<br><span class="st">${e.kind}: ${Object.entries(e.status).map(([k, v]) => v + ' ' + k).join(', ')}</span></a>`).join('') || 'nothing to show yet';
    if (current === null && listing.entries.length > 0) current = listing.entries[0].id;
    if (current !== null) render(await getJson('/api/entries/' + encodeURIComponent(current)));
  } catch (err) { document.getElementById('main').insertAdjacentHTML('afterbegin', `<p style="color:#b00">${esc(err.message)}</p>`); }
}
window.addEventListener('hashchange', () => { current = decodeURIComponent(location.hash.slice(1)); refresh(); });
if (location.hash.length > 1) current = decodeURIComponent(location.hash.slice(1));
refresh(); setInterval(refresh, POLL_MS);
</script></body></html>
""".Replace("POLL_MS", PollMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
}

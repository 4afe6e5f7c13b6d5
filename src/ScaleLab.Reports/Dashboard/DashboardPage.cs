namespace ScaleLab.Reports.Dashboard;

/// <summary>
/// The dashboard's one page: plain HTML, CSS and a script written here (no CDN, nothing fetched but the two JSON
/// documents of <see cref="DashboardJson"/>). It polls every two seconds, so a curve gains points while a run trains;
/// plots are SVG with log axes where sizes span decades, every point's value shows on hover (an SVG title), and a
/// click on a legend entry hides or shows its series (remembered across polls).
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

// Series hidden by a click on their legend entry, as "plot id|series name": kept across polls, since every poll redraws.
const hidden = new Set();
let last = null;
const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf', '#7f7f7f', '#bcbd22', '#e377c2'];
const tick = (v, logX) => !logX ? fmt(v, 3) : v >= 1e12 ? v.toExponential(1) : count(Math.round(v));

// series: {name, points: [[x, y]], line, dash, small, color} or {name, band: [[x, lower, upper]], color}: a shaded band.
function plot(id, title, xLabel, yLabel, series, logX) {
  const W = 560, H = 300, L = 60, B = 40, T = 28, R = 34;   // R: room for the last x tick label ("550.4 K")
  const pts = series.flatMap(s => s.points || []);
  if (pts.length === 0) return `<p>${esc(title)}: no points yet</p>`;
  const tx = v => logX ? Math.log10(v) : v;
  let x0 = Math.min(...pts.map(p => tx(p[0]))), x1 = Math.max(...pts.map(p => tx(p[0])));
  let y0 = Math.min(...pts.map(p => p[1])), y1 = Math.max(...pts.map(p => p[1]));
  if (x1 === x0) { x0 -= 1; x1 += 1; } if (y1 === y0) { y0 -= 0.5; y1 += 0.5; }
  const sx = v => L + (tx(v) - x0) / (x1 - x0) * (W - L - R), sy = v => H - B - (v - y0) / (y1 - y0) * (H - B - T);
  // The band may reach far beyond the points: it is clipped to the plot area rather than allowed to stretch the axes.
  let svg = `<svg width="${W}" height="${H}" role="img" aria-label="${esc(title)}"><defs><clipPath id="clip-${id}"><rect x="${L}" y="${T}" width="${W - L - R}" height="${H - B - T}"/></clipPath></defs>`;
  svg += `<text x="${W / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(title)}</text>`;
  svg += `<text x="${W / 2}" y="${H - 6}" text-anchor="middle">${esc(xLabel)}</text><text transform="translate(14 ${H / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`;
  for (let i = 0; i <= 4; i++) {
    const yv = y0 + (y1 - y0) * i / 4, xv = x0 + (x1 - x0) * i / 4, xr = logX ? Math.pow(10, xv) : xv;
    svg += `<text x="${L - 4}" y="${sy(yv) + 4}" text-anchor="end" font-size="11">${fmt(yv, 3)}</text>`;
    svg += `<text x="${L + (xv - x0) / (x1 - x0) * (W - L - R)}" y="${H - B + 14}" text-anchor="middle" font-size="11">${tick(xr, logX)}</text>`;
  }
  const color = (s, i) => s.color || colors[i % colors.length];
  series.forEach((s, i) => {
    if (hidden.has(id + '|' + s.name)) return;
    const c = color(s, i), ser = esc(s.name);
    if (s.band && s.band.length > 1) {
      const outline = s.band.map(b => sx(b[0]) + ',' + sy(b[2])).concat(s.band.slice().reverse().map(b => sx(b[0]) + ',' + sy(b[1])));
      svg += `<polygon class="band" data-series="${ser}" clip-path="url(#clip-${id})" fill="${c}" fill-opacity="0.18" stroke="none" points="${outline.join(' ')}"><title>${ser}</title></polygon>`;
      return;
    }
    if (s.line && s.points.length > 1) svg += `<polyline data-series="${ser}" clip-path="url(#clip-${id})" fill="none" stroke="${c}" stroke-width="${s.dash || s.small ? 1.5 : 2}" ${s.dash ? 'stroke-dasharray="5 4"' : ''} points="${s.points.map(p => sx(p[0]) + ',' + sy(p[1])).join(' ')}"><title>${ser}</title></polyline>`;
    if (!s.dash) s.points.forEach(p => svg += `<circle class="${s.small ? 'sp' : 'pt'}" data-series="${ser}" cx="${sx(p[0])}" cy="${sy(p[1])}" r="${s.small ? 1.6 : 3.5}" fill="${c}"><title>${ser}: ${fmt(p[0])}, ${fmt(p[1])}</title></circle>`);
  });
  // The legend: a click hides or shows its series (.lg, data-key).
  svg += series.map((s, i) => { const key = id + '|' + s.name; return `<text class="lg" data-key="${esc(key)}" x="${W - R - 4}" y="${T + 14 * (i + 1)}" text-anchor="end" font-size="11" style="cursor:pointer" opacity="${hidden.has(key) ? 0.35 : 1}" fill="${color(s, i)}">${esc(s.name)}<title>click to ${hidden.has(key) ? 'show' : 'hide'}</title></text>`; }).slice(0, 12).join('');
  return svg + '</svg>';
}

// One polyline per trial across the sweep's numeric axes, its parameters and its best validation loss, coloured by that
// loss (blue lowest, red highest); each axis spans its own range, on a log scale where it spans more than 10×.
function parallel(trials) {
  const names = [...new Set(trials.flatMap(t => Object.keys(t.axes)))].sort();
  const axes = names.map(n => ({name: n, get: t => t.axes[n]})).concat([{name: 'parameters', get: t => t.parameters}, {name: 'best val loss', get: t => t.best_val_loss}]);
  const rows = trials.filter(t => axes.every(a => a.get(t) !== undefined && a.get(t) !== null));
  if (rows.length < 2) return '<p>Parallel coordinates: fewer than two trials with every figure yet</p>';
  const W = Math.max(560, 130 * axes.length), H = 300, L = 60, R = 60, T = 40, B = 40;
  const scales = axes.map(a => {
    const vs = rows.map(a.get), lo = Math.min(...vs), hi = Math.max(...vs), log = lo > 0 && hi / lo > 10;
    const f = v => log ? Math.log10(v) : v, f0 = f(lo), f1 = f(hi);
    return {lo, hi, log, y: v => f1 === f0 ? (T + H - B) / 2 : H - B - (f(v) - f0) / (f1 - f0) * (H - B - T)};
  });
  const ax = i => L + i * (W - L - R) / (axes.length - 1);
  const losses = rows.map(t => t.best_val_loss), lmin = Math.min(...losses), lmax = Math.max(...losses);
  const shade = v => { const u = lmax === lmin ? 0 : (v - lmin) / (lmax - lmin); return `rgb(${Math.round(31 + u * 183)},${Math.round(119 - u * 80)},${Math.round(180 - u * 140)})`; };
  let svg = `<svg width="${W}" height="${H}" role="img" aria-label="Parallel coordinates"><text x="${W / 2}" y="18" text-anchor="middle" font-weight="bold">Parallel coordinates (colour: best val loss, blue lowest)</text>`;
  for (const t of rows) {
    const values = axes.map((a, i) => esc(a.name) + ' ' + fmt(a.get(t))).join(', ');
    svg += `<polyline class="pc" fill="none" stroke="${shade(t.best_val_loss)}" stroke-width="2" points="${axes.map((a, i) => ax(i) + ',' + scales[i].y(a.get(t))).join(' ')}"><title>${esc(t.label)}: ${values}</title></polyline>`;
  }
  axes.forEach((a, i) => {
    const s = scales[i], label = v => a.name === 'parameters' ? count(v) : fmt(v, 3);
    svg += `<line x1="${ax(i)}" x2="${ax(i)}" y1="${T}" y2="${H - B}" stroke="#888"/><text class="axis" x="${ax(i)}" y="${T - 8}" text-anchor="middle" font-size="12">${esc(a.name)}${s.log ? ' (log)' : ''}</text>`;
    svg += `<text x="${ax(i) + 4}" y="${T + 4}" font-size="11">${label(s.hi)}</text><text x="${ax(i) + 4}" y="${H - B + 14}" font-size="11">${label(s.lo)}</text>`;
  });
  return svg + '</svg>';
}

function render(e) {
  last = e;
  let h = `<h2>${esc(e.name)}</h2><p class="st">${e.kind}, ${e.trials.length} trial(s)</p>`;
  if (e.trials.length > 0) h += '<table id="trials"><tr><th>trial</th><th>status</th><th>parameters</th><th>best val loss</th><th>val accuracy</th><th>epochs</th></tr>';
  for (const t of e.trials) h += `<tr><td>${esc(t.label)}</td><td>${t.status}</td><td>${count(t.parameters)}</td><td>${fmt(t.best_val_loss)}</td><td>${t.val_accuracy === null ? '–' : (100 * t.val_accuracy).toFixed(2) + ' %'}</td><td>${t.epochs.length}</td></tr>`;
  if (e.trials.length > 0) h += '</table>';
  // Per trial: validation and training loss per epoch, and the training loss of every step record (steps.jsonl), so a
  // one-epoch run still has a curve.
  const curves = e.trials.flatMap(t => [
    {name: t.label + ' val', line: true, points: t.epochs.filter(p => p.val_loss !== null).map(p => [p.epoch, p.val_loss])},
    {name: t.label + ' train', line: true, dash: e.trials.length > 1, points: t.epochs.filter(p => p.train_loss !== null).map(p => [p.epoch, p.train_loss])},
    {name: t.label + ' train (steps)', line: true, small: true, points: t.steps.filter(p => p.train_loss !== null).map(p => [p.epochs_done, p.train_loss])}].filter(s => s.points.length > 0));
  if (e.trials.length > 0) h += `<div id="curves">${plot('curves', 'Learning curves', 'epoch', 'loss', curves, false)}</div>`;
  if (e.kind === 'sweep') {
    const done = e.trials.filter(t => t.best_val_loss !== null && t.parameters > 0);
    const series = [{name: 'best val loss', points: done.map(t => [t.parameters, t.best_val_loss])}];
    if (e.fit) {
      series.unshift({name: Math.round(100 * e.fit.confidence_level) + '% band (bootstrap)', color: '#444', band: e.fit.band.map(b => [b.parameters, b.lower, b.upper])});
      series.push({name: 'fitted law', line: true, dash: true, color: '#444', points: e.fit.band.map(b => [b.parameters, b.loss])});
    }
    // The law's wording (constants with their intervals) is too long for a legend line: it goes under the plot.
    h += `<div id="scaling">${plot('scaling', 'Validation loss vs parameters', 'parameters (log)', 'best validation loss', series, true)}${e.fit ? `<p class="st" id="law">fit: ${esc(e.fit.text)}</p>` : ''}</div>`;
    const spent = e.trials.filter(t => t.best_val_loss !== null && t.training_flops !== null && t.training_flops > 0);
    h += `<div id="flops">${plot('flops', 'Validation loss vs training FLOPs', 'training FLOPs (log)', 'best validation loss', spent.map(t => ({name: t.label, points: [[t.training_flops, t.best_val_loss]]})), true)}</div>`;
    if (e.trials.length > 1) h += `<div id="parallel">${parallel(e.trials)}</div>`;
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
document.addEventListener('click', ev => {
  const entry = ev.target.closest('.lg');
  if (!entry || last === null) return;
  const key = entry.getAttribute('data-key');
  if (hidden.has(key)) hidden.delete(key); else hidden.add(key);
  render(last);
});
window.addEventListener('hashchange', () => { current = decodeURIComponent(location.hash.slice(1)); refresh(); });
if (location.hash.length > 1) current = decodeURIComponent(location.hash.slice(1));
refresh(); setInterval(refresh, POLL_MS);
</script></body></html>
""".Replace("POLL_MS", PollMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
}

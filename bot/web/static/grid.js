// The day grid: rooms as columns, time down the side, one absolutely placed block a session.
// Built with createElement and textContent only (agenda text is never parsed as HTML), in
// one DocumentFragment, a handful of nodes a session, so a 1,000-session day draws at once.

import { label, t } from "./i18n.js";

export const MINUTE = 60000;

/** Parse "2024-11-27T10:00+01:00": epoch ms, and the wall-clock minutes in the conference zone. */
export function parseTime(iso) {
  const m = /T(\d\d):(\d\d)/.exec(iso);
  return { ms: Date.parse(iso), local: m ? Number(m[1]) * 60 + Number(m[2]) : 0 };
}

export function hhmm(localMinutes) {
  const m = ((localMinutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

export function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null && text !== "") node.textContent = text;
  return node;
}

const ICONS = {
  star: "M12 2.8l2.8 5.7 6.3.9-4.6 4.4 1.1 6.2L12 17.1 6.4 20l1.1-6.2L2.9 9.4l6.3-.9L12 2.8z",
  calendar:
    "M7 2h2v2h6V2h2v2h2a2 2 0 0 1 2 2v13a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2h2V2zm12 8H5v9h14v-9zM7 12h4v4H7v-4z",
};

/** A small inline icon (a fixed path: no agenda text goes near it). */
export function icon(name, cls = "icon") {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", cls);
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}

/** Pixels a minute: roomy enough for a 15-minute talk's title on a phone. */
export const PPM = 2;

/** Where each session of the day sits: columns (rooms), time range, lanes for overlaps. */
export function layout(daySessions, shown, rooms) {
  let start = Infinity;
  let end = -Infinity;
  let startLocal = 0;
  for (const s of daySessions) {
    if (s._start.ms < start) {
      start = s._start.ms;
      startLocal = s._start.local;
    }
    if (s._end.ms > end) end = s._end.ms;
  }
  if (!daySessions.length) return null;
  // From the hour before the first session to the hour after the last one.
  const top = start - (startLocal % 60) * MINUTE;
  const topLocal = startLocal - (startLocal % 60);
  const spanMin = Math.ceil((end - top) / MINUTE / 60) * 60;

  const used = new Set(shown.map((s) => s.room || ""));
  const columns = rooms.filter((r) => used.has(r));
  if (used.has("")) columns.push("");
  const col = new Map(columns.map((r, i) => [r, i]));

  const placed = [];
  const byRoom = new Map();
  for (const s of shown) {
    const r = s.room || "";
    if (!byRoom.has(r)) byRoom.set(r, []);
    byRoom.get(r).push(s);
  }
  for (const [room, list] of byRoom) {
    list.sort((a, b) => a._start.ms - b._start.ms || a._end.ms - b._end.ms);
    // Clusters of overlapping sessions share the column in lanes.
    let cluster = [];
    let clusterEnd = -Infinity;
    const flush = () => {
      const laneEnds = [];
      const lanes = [];
      for (const s of cluster) {
        let lane = laneEnds.findIndex((e) => e <= s._start.ms);
        if (lane < 0) {
          lane = laneEnds.length;
          laneEnds.push(0);
        }
        laneEnds[lane] = s._end.ms;
        lanes.push(lane);
      }
      cluster.forEach((s, i) => placed.push({ s, x: col.get(room), lane: lanes[i], lanes: laneEnds.length }));
      cluster = [];
      clusterEnd = -Infinity;
    };
    for (const s of list) {
      if (cluster.length && s._start.ms >= clusterEnd) flush();
      cluster.push(s);
      clusterEnd = Math.max(clusterEnd, s._end.ms);
    }
    if (cluster.length) flush();
  }
  return { top, topLocal, spanMin, columns, placed };
}

/** Draw the grid into ``root``; returns the layout (for the now-line). */
export function renderGrid(root, geo, ctx) {
  const frag = document.createDocumentFragment();
  root.style.setProperty("--cols", String(Math.max(1, geo.columns.length)));
  root.style.setProperty("--body-h", `${geo.spanMin * PPM}px`);

  frag.append(el("div", "corner"));
  geo.columns.forEach((room, i) => {
    const head = el("div", "room");
    head.style.gridColumn = String(i + 2);
    head.append(el("span", "", room || t("noRoom")));
    head.title = room || t("noRoom");
    frag.append(head);
  });

  const times = el("div", "times");
  times.setAttribute("aria-hidden", "true");
  for (let m = 0; m <= geo.spanMin; m += 60) {
    const h = el("div", "hour", hhmm(geo.topLocal + m));
    h.style.top = `${m * PPM}px`;
    times.append(h);
  }
  frag.append(times);

  const body = el("div", "body");
  body.setAttribute("role", "list");
  for (const p of geo.placed) body.append(block(p, geo, ctx));
  const line = el("div", "now-line");
  line.hidden = true;
  line.setAttribute("aria-hidden", "true");
  const nowLabel = el("div", "now-label");
  nowLabel.hidden = true;
  times.append(nowLabel);
  body.append(line);
  frag.append(body);

  root.replaceChildren(frag);
  return { body, line, nowLabel };
}

function block(p, geo, ctx) {
  const s = p.s;
  const minutes = Math.max(5, (s._end.ms - s._start.ms) / MINUTE);
  const y = ((s._start.ms - geo.top) / MINUTE) * PPM;
  const h = minutes * PPM;
  const b = el("button", "s");
  b.type = "button";
  b.dataset.key = s.key;
  b.setAttribute("role", "listitem");
  // Plain pixels, not calc() over custom properties: a thousand of those cost style time.
  const w = ctx.colW / p.lanes;
  b.style.left = `${Math.round(p.x * ctx.colW + p.lane * w + 3)}px`;
  b.style.width = `${Math.round(w - 6)}px`;
  b.style.top = `${Math.round(y + 1.5)}px`;
  b.style.height = `${Math.round(h - 3)}px`;
  b.style.setProperty("--c", ctx.colour(s));
  const withSpeakers = s.speakers.length > 0 && h >= 70;
  const lines = Math.max(1, Math.floor((h - 24 - (withSpeakers ? 15 : 0)) / 16));
  b.style.setProperty("--lines", String(Math.min(lines, 6)));
  if (h < 44) b.classList.add("short");
  if (!s.bookmarkable) b.classList.add("brk");
  if (ctx.bookmarks.has(s.id)) b.classList.add("bm");
  const time = `${hhmm(s._start.local)}–${hhmm(s._end.local)}`;
  b.append(el("span", "tm", time));
  b.append(el("span", "ti", s.title));
  if (withSpeakers) b.append(el("span", "sp", s.speakers.map((x) => x.name).join(", ")));
  const parts = [s.title, time, s.room, label("types", s.type)];
  if (s.speakers.length) parts.push(s.speakers.map((x) => x.name).join(", "));
  if (ctx.bookmarks.has(s.id)) parts.push(t("bookmarkedMark"));
  b.setAttribute("aria-label", parts.filter(Boolean).join(", "));
  return b;
}

/** Past and running sessions look different; the line sits at ``nowMs`` when it is on the day. */
export function markTime(view, geo, nowMs, byKey, nowLocal) {
  if (!view || !geo) return false;
  const inDay = nowMs >= geo.top && nowMs <= geo.top + geo.spanMin * MINUTE;
  view.line.hidden = !inDay;
  view.nowLabel.hidden = !inDay;
  if (inDay) {
    const y = ((nowMs - geo.top) / MINUTE) * PPM;
    view.line.style.top = `${y}px`;
    view.nowLabel.style.top = `${y}px`;
    view.nowLabel.textContent = hhmm(nowLocal);
    view.line.dataset.minutes = String(Math.round((nowMs - geo.top) / MINUTE));
  }
  for (const b of view.body.children) {
    const s = byKey.get(b.dataset.key);
    if (!s) continue;
    b.classList.toggle("past", s._end.ms <= nowMs);
    b.classList.toggle("live", s._start.ms <= nowMs && nowMs < s._end.ms);
  }
  return inDay;
}

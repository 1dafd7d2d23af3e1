// The timetable: loads the programme and the user's bookmarks, draws the day grid, filters,
// searches with the bot's own engine, and opens a session's details.

import { renderDetails } from "./details.js";
import { MINUTE, icon, layout, markTime, parseTime, renderGrid } from "./grid.js";
import { label, language, setLanguage, t } from "./i18n.js";
import { applyTheme, inTelegram, launch, tg } from "./tg.js";

const $ = (id) => document.getElementById(id);
const signedIn = Boolean(launch.initData);
const CACHE_KEY = "confbot.agenda";
const NO_ROOM = "\u0000none";

const S = {
  agenda: null,
  sessions: [],
  byKey: new Map(),
  byId: new Map(),
  byDay: new Map(),
  bySpeaker: new Map(),
  trackColours: new Map(),
  typeColours: new Map(),
  day: null,
  today: null,
  filters: { track: "", room: "", type: "", mine: false },
  query: "",
  hits: null,
  bookmarks: new Set(),
  ratings: new Map(),
  lead: 0,
  readOnly: !signedIn,
  clock: { server: Date.now(), local: 0, at: performance.now() },
  view: null,
  geo: null,
  opener: null,
  // The language the bot speaks to this person: Telegram's until /api/me says their /language.
  language: String(launch.user?.language_code || ""),
};

// ------------------------------------------------------------------ set-up
applyTheme(launch.theme);
if (!launch.theme.bg_color) {
  const dark = window.matchMedia("(prefers-color-scheme: dark)");
  const follow = () => (document.documentElement.dataset.scheme = dark.matches ? "dark" : "light");
  follow();
  dark.addEventListener("change", follow);
}
/** The interface in the person's language (outside Telegram: the browser's). */
function speak() {
  setLanguage(S.language || (inTelegram ? "en" : navigator.language));
}
speak();
tg.expand();
tg.setColors();

function nowMs() {
  return S.clock.server + (performance.now() - S.clock.at);
}

function nowLocal() {
  return S.clock.local + Math.floor((nowMs() - S.clock.server) / MINUTE);
}

function setClock(payload) {
  if (!payload || !payload.now) return;
  const p = parseTime(payload.now);
  const sec = /T\d\d:\d\d:(\d\d)/.exec(payload.now);
  S.clock = { server: p.ms, local: p.local + (sec ? Number(sec[1]) / 60 : 0), at: performance.now() };
  S.today = payload.day || null;
}

async function api(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  if (signedIn) headers.Authorization = `tma ${launch.initData}`;
  return fetch(`api/${path}`, { ...options, headers });
}

const TOAST = $("toast");
let toastTimer = 0;

/** The toast lives in the open dialog (the top layer hides anything else), else in the page. */
function placeToast() {
  const dialog = $("details");
  const host = dialog.open ? dialog : document.body;
  if (TOAST.parentNode !== host) host.append(TOAST);
}

function toast(text) {
  const box = TOAST;
  placeToast();
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (box.hidden = true), 3200);
}

function status(text) {
  $("status").textContent = text || "";
}

// ------------------------------------------------------------------ agenda
/** The languages agenda texts are wanted in, most wanted first: the person's tag as given
 * ("de-at"), its language ("de"), then the app's (which may be English for lack of strings). */
function wantedLanguages() {
  const raw = String(S.language || navigator.language || "")
    .toLowerCase()
    .replace(/_/g, "-");
  return [...new Set([raw, raw.split("-")[0], language()].filter(Boolean))];
}

/** A text the agenda gives in several languages ({"en": …, "hu": …}): the reader's, else its
 * own (the bot's rule: a tag, then its language, for each wanted language in turn). */
function pickText(own, variants, wanted) {
  if (!variants) return own;
  for (const w of wanted) {
    if (variants[w]) return variants[w];
    const base = w.split("-")[0];
    for (const [tag, text] of Object.entries(variants)) {
      if (tag.split("-")[0] === base && text) return text;
    }
  }
  return own;
}

function localize(agenda) {
  const wanted = wantedLanguages();
  agenda.conference.name = pickText(agenda.conference.name, agenda.conference.names, wanted);
  for (const s of agenda.sessions) {
    s.title = pickText(s.title, s.titles, wanted);
    s.abstract = pickText(s.abstract, s.abstracts, wanted);
  }
}

function index(agenda) {
  localize(agenda);
  S.agenda = agenda;
  S.sessions = agenda.sessions;
  S.byKey.clear();
  S.byId.clear();
  S.byDay.clear();
  S.bySpeaker.clear();
  for (const s of S.sessions) {
    s._start = parseTime(s.start);
    s._end = parseTime(s.end);
    S.byKey.set(s.key, s);
    S.byId.set(s.id, s);
    if (!S.byDay.has(s.day)) S.byDay.set(s.day, []);
    S.byDay.get(s.day).push(s);
    for (const p of s.speakers) {
      if (!S.bySpeaker.has(p.id)) S.bySpeaker.set(p.id, []);
      S.bySpeaker.get(p.id).push(s);
    }
  }
  S.trackColours = new Map(agenda.tracks.map((x) => [x.name, x.colour]));
  S.typeColours = new Map(agenda.types.map((x) => [x.id, x.colour]));
}

async function loadAgenda() {
  try {
    const res = await fetch("api/agenda");
    if (!res.ok) throw new Error(`agenda: ${res.status}`);
    const text = await res.text();
    // Kept for a venue without signal; written after the first paint (it is a big string).
    setTimeout(() => {
      try {
        if (localStorage.getItem(CACHE_KEY) !== text) localStorage.setItem(CACHE_KEY, text);
      } catch (_) {
        /* full or private: the HTTP cache still has it */
      }
    }, 1500);
    return { agenda: JSON.parse(text), offline: false };
  } catch (err) {
    const kept = (() => {
      try {
        return localStorage.getItem(CACHE_KEY);
      } catch (_) {
        return null;
      }
    })();
    if (kept) return { agenda: JSON.parse(kept), offline: true };
    throw err;
  }
}

async function loadMe() {
  if (signedIn) {
    try {
      const res = await api("me");
      if (res.ok) {
        const me = await res.json();
        S.bookmarks = new Set(me.bookmarks);
        S.ratings = new Map(Object.entries(me.ratings));
        S.lead = me.reminder_minutes;
        if (me.user.language) S.language = me.user.language; // their /language choice wins
        speak();
        setClock(me);
        return;
      }
      if (res.status === 401) {
        S.readOnly = true;
        toast(t("errorAuth"));
      }
    } catch (_) {
      /* the clock below, or the device's */
    }
  }
  try {
    const res = await fetch("api/clock");
    if (res.ok) setClock(await res.json());
  } catch (_) {
    /* offline: the device's clock */
  }
}

// ------------------------------------------------------------------ labels
const dayFormats = new Map();
function dayLabel(iso, long = false) {
  const key = `${language()}|${long}`;
  if (!dayFormats.has(key)) {
    const opts = long
      ? { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" }
      : { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" };
    // British English for "en": "Wednesday 27 November", as the bot writes dates.
    dayFormats.set(key, new Intl.DateTimeFormat(language() === "en" ? "en-GB" : language(), opts));
  }
  const [y, m, d] = iso.split("-").map(Number);
  return dayFormats.get(key).format(new Date(Date.UTC(y, m - 1, d, 12)));
}

function colour(s) {
  return (s.track && S.trackColours.get(s.track)) || S.typeColours.get(s.type) || "#3b82f6";
}

// ------------------------------------------------------------------ filters
function filtering() {
  const f = S.filters;
  return Boolean(f.track || f.room || f.type || f.mine || S.hits);
}

function matches(s) {
  const f = S.filters;
  if (f.track && s.track !== f.track) return false;
  if (f.room && (f.room === NO_ROOM ? s.room : s.room !== f.room)) return false;
  if (f.type && s.type !== f.type) return false;
  if (f.mine && !S.bookmarks.has(s.id)) return false;
  if (S.hits && !S.hits.has(s.id)) return false;
  return true;
}

function option(select, value, text) {
  const o = document.createElement("option");
  o.value = value;
  o.textContent = text;
  select.append(o);
}

function setupFilters() {
  const a = S.agenda;
  const track = $("f-track");
  option(track, "", t("allTracks"));
  for (const x of a.tracks) option(track, x.name, x.name);
  $("f-track-wrap").hidden = a.tracks.length === 0;
  const room = $("f-room");
  option(room, "", t("allRooms"));
  for (const r of a.rooms) option(room, r, r);
  if (S.sessions.some((s) => !s.room)) option(room, NO_ROOM, t("noRoom"));
  const type = $("f-type");
  option(type, "", t("allTypes"));
  for (const x of a.types) option(type, x.id, label("types", x.id));
  $("f-track-label").textContent = t("filterTrack");
  $("f-room-label").textContent = t("filterRoom");
  $("f-type-label").textContent = t("filterType");
  track.setAttribute("aria-label", t("filterTrack"));
  room.setAttribute("aria-label", t("filterRoom"));
  type.setAttribute("aria-label", t("filterType"));
  for (const [el, key] of [
    [track, "track"],
    [room, "room"],
    [type, "type"],
  ]) {
    el.addEventListener("change", () => {
      S.filters[key] = el.value;
      el.parentElement.classList.toggle("active", Boolean(el.value));
      draw();
    });
  }
  const mine = $("f-mine");
  mine.replaceChildren(icon("star", "icon filled"), document.createTextNode(t("filterMine")));
  mine.hidden = S.readOnly;
  mine.addEventListener("click", () => {
    S.filters.mine = !S.filters.mine;
    mine.setAttribute("aria-pressed", String(S.filters.mine));
    tg.haptic("selection");
    draw();
  });
  const clear = $("f-clear");
  clear.textContent = t("clearFilters");
  clear.addEventListener("click", clearFilters);

  const q = $("q");
  q.placeholder = t("searchPlaceholder");
  q.setAttribute("aria-label", t("searchLabel"));
  $("q-clear").setAttribute("aria-label", t("searchClear"));
  let timer = 0;
  q.addEventListener("input", () => {
    clearTimeout(timer);
    $("q-clear").hidden = !q.value;
    timer = setTimeout(() => runSearch(q.value), 250);
  });
  q.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      clearTimeout(timer);
      runSearch(q.value);
      q.blur();
    } else if (event.key === "Escape" && q.value) {
      event.preventDefault();
      q.value = "";
      $("q-clear").hidden = true;
      runSearch("");
    }
  });
  $("q-clear").addEventListener("click", () => {
    q.value = "";
    $("q-clear").hidden = true;
    runSearch("");
    q.focus();
  });
}

function clearFilters() {
  S.filters = { track: "", room: "", type: "", mine: false };
  for (const id of ["f-track", "f-room", "f-type"]) {
    $(id).value = "";
    $(id).parentElement.classList.remove("active");
  }
  $("f-mine").setAttribute("aria-pressed", "false");
  $("q").value = "";
  $("q-clear").hidden = true;
  S.query = "";
  S.hits = null;
  draw();
}

let searchAbort = null;
async function runSearch(text) {
  const q = text.trim();
  if (q === S.query) return;
  S.query = q;
  if (searchAbort) searchAbort.abort();
  if (!q) {
    S.hits = null;
    draw();
    return;
  }
  searchAbort = new AbortController();
  status(t("searching"));
  try {
    const res = await fetch(`api/search?q=${encodeURIComponent(q)}`, { signal: searchAbort.signal });
    if (!res.ok) {
      status(res.status === 400 && q.length > 200 ? t("searchTooLong") : t("searchFailed"));
      return;
    }
    const data = await res.json();
    if (S.query !== q) return;
    S.hits = new Set(data.ids);
    draw();
  } catch (err) {
    if (err.name !== "AbortError") status(t("searchFailed"));
  }
}

// ------------------------------------------------------------------ drawing
function columnWidth(columns) {
  const wrap = $("grid-wrap");
  const timeW = parseFloat(getComputedStyle(document.documentElement).getPropertyValue("--time-w")) || 48;
  const avail = Math.max(200, wrap.clientWidth - timeW);
  const n = Math.max(1, columns);
  if (n * 150 <= avail) return Math.min(420, Math.floor(avail / n));
  return Math.max(150, Math.floor(avail / (avail < 560 ? 2.2 : Math.min(n, 5.3))));
}

function drawDays() {
  const nav = $("days");
  nav.setAttribute("aria-label", t("days"));
  nav.setAttribute("role", "tablist");
  const days = S.agenda.conference.days;
  nav.hidden = days.length < 2 && !filtering();
  const frag = document.createDocumentFragment();
  for (const d of days) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "day";
    b.setAttribute("role", "tab");
    b.dataset.day = d;
    b.setAttribute("aria-selected", String(d === S.day));
    if (d === S.today) b.classList.add("today");
    b.textContent = dayLabel(d);
    if (filtering()) {
      const n = (S.byDay.get(d) || []).filter(matches).length;
      const c = document.createElement("span");
      c.className = "count";
      c.textContent = String(n);
      b.append(c);
    }
    b.addEventListener("click", () => {
      if (S.day === d) return;
      S.day = d;
      tg.haptic("selection");
      draw({ scroll: true });
    });
    frag.append(b);
  }
  nav.replaceChildren(frag);
}

function ctx(colW) {
  return { colour, bookmarks: S.bookmarks, colW };
}

function draw({ scroll = false } = {}) {
  const grid = $("grid");
  const daySessions = S.byDay.get(S.day) || [];
  const shown = daySessions.filter(matches);
  const geo = layout(daySessions, shown, S.agenda.rooms);
  S.geo = geo;
  drawDays();
  const empty = $("empty");
  if (!geo) {
    grid.replaceChildren();
    S.view = null;
    empty.textContent = t("noSessions");
    empty.hidden = false;
  } else {
    const colW = columnWidth(geo.columns.length);
    S.colW = colW;
    grid.style.setProperty("--col-w", `${colW}px`);
    S.view = renderGrid(grid, geo, ctx(colW));
    if (shown.length === 0) {
      const elsewhere = S.sessions.filter(matches).length;
      empty.textContent = elsewhere ? t("matchesElsewhere", { count: elsewhere }) : t("nothingMatches");
      empty.hidden = false;
    } else {
      empty.hidden = true;
    }
  }
  $("f-clear").hidden = !filtering();
  if (filtering()) status(t("matches", { count: S.sessions.filter(matches).length }));
  else status(S.readOnly ? t("readOnly") : "");
  const inDay = tick();
  if (scroll) scrollToNow(inDay);
}

function scrollToNow(inDay) {
  const wrap = $("grid-wrap");
  if (inDay && S.view) {
    const y = parseFloat(S.view.line.style.top) || 0;
    wrap.scrollTop = Math.max(0, y - wrap.clientHeight * 0.25);
  } else {
    wrap.scrollTop = 0;
  }
  wrap.scrollLeft = 0;
}

function tick() {
  const inDay = markTime(S.view, S.geo, nowMs(), S.byKey, nowLocal());
  const pill = $("now-pill");
  const on = Boolean(S.today && S.agenda.conference.days.includes(S.today));
  pill.hidden = !on;
  if (on) {
    const m = ((Math.floor(nowLocal()) % 1440) + 1440) % 1440;
    const time = `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
    pill.textContent = t("now", { time });
  }
  return inDay;
}

// ------------------------------------------------------------------ details
function detailsCtx() {
  return {
    bookmarks: S.bookmarks,
    ratings: S.ratings,
    readOnly: S.readOnly,
    nowMs,
    dayLabel,
    multiDay: S.agenda.conference.days.length > 1,
    colour,
    typeColour: (type) => S.typeColours.get(type) || "#3b82f6",
    speaker: (id) => S.agenda.speakers[id],
    sessionsOf: (id) => S.bySpeaker.get(id) || [],
    icsUrl: (s) => `api/sessions/${encodeURIComponent(s.key)}.ics`,
    toggleBookmark,
    rate,
    open: (s) => openDetails(s, false),
    addToCalendar,
  };
}

function openDetails(s, fromGrid = true) {
  const dialog = $("details");
  if (fromGrid) S.opener = s.key;
  renderDetails(dialog, s, detailsCtx());
  if (!dialog.open) {
    dialog.showModal();
    tg.backButton.show();
  }
  placeToast();
  dialog.scrollTop = 0;
  dialog.querySelector("#d-title")?.focus();
}

function refreshDetails() {
  const dialog = $("details");
  if (!dialog.open) return;
  const s = S.byKey.get(dialog.dataset.key);
  if (!s) return;
  const focused = document.activeElement?.id || document.activeElement?.dataset?.rating;
  renderDetails(dialog, s, detailsCtx());
  placeToast();
  const again = focused && (dialog.querySelector(`#${CSS.escape(focused)}`) || dialog.querySelector(`[data-rating="${CSS.escape(focused)}"]`));
  if (again) again.focus();
}

function setupDetails() {
  const dialog = $("details");
  dialog.addEventListener("close", () => {
    tg.backButton.hide();
    placeToast();
    if (S.opener) {
      const b = $("grid").querySelector(`.s[data-key="${CSS.escape(S.opener)}"]`);
      if (b) b.focus();
    }
  });
  dialog.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
  tg.backButton.onClick(() => {
    if (dialog.open) dialog.close();
  });
  $("grid").addEventListener("click", (event) => {
    const b = event.target.closest(".s");
    if (!b) return;
    const s = S.byKey.get(b.dataset.key);
    if (s) openDetails(s);
  });
}

async function failed(res) {
  if (res.status === 401) {
    toast(t("errorAuth"));
    tg.haptic("error");
    return;
  }
  let code = "";
  try {
    code = (await res.json()).error || "";
  } catch (_) {
    /* not JSON */
  }
  toast(code === "not_started" ? t("rateNotYet") : t("errorGeneric"));
  tg.haptic("error");
}

let busy = false;
async function toggleBookmark(s) {
  if (busy || S.readOnly) return;
  busy = true;
  const on = !S.bookmarks.has(s.id);
  try {
    const res = await api(`bookmarks/${encodeURIComponent(s.key)}`, { method: on ? "POST" : "DELETE" });
    if (!res.ok) return failed(res);
    const data = await res.json();
    if (data.bookmarked) S.bookmarks.add(s.id);
    else S.bookmarks.delete(s.id);
    S.lead = data.reminder_minutes;
    tg.haptic(data.bookmarked ? "success" : "light");
    if (!data.bookmarked) toast(t("toastRemoved"));
    else if (S.lead > 0 && s._start.ms > nowMs()) toast(t("toastBookmarked", { count: S.lead }));
    else toast(t("toastBookmarkedPlain"));
    const b = $("grid").querySelector(`.s[data-key="${CSS.escape(s.key)}"]`);
    if (b) b.classList.toggle("bm", data.bookmarked);
    if (S.filters.mine) draw();
    refreshDetails();
  } catch (_) {
    toast(t("errorNetwork"));
  } finally {
    busy = false;
  }
}

async function rate(s, rating) {
  if (busy || S.readOnly) return;
  busy = true;
  try {
    const res = await api(`ratings/${encodeURIComponent(s.key)}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ rating }),
    });
    if (!res.ok) return failed(res);
    S.ratings.set(s.id, rating);
    tg.haptic("success");
    toast(t("rateSaved", { rating }));
    refreshDetails();
  } catch (_) {
    toast(t("errorNetwork"));
  } finally {
    busy = false;
  }
}

function addToCalendar(event, s) {
  if (!inTelegram) return; // a browser downloads the link itself
  event.preventDefault();
  const url = new URL(`api/sessions/${encodeURIComponent(s.key)}.ics`, window.location.href);
  url.hash = "";
  tg.download(url.href, `${s.key.replace(/[^A-Za-z0-9_.-]+/g, "-") || "session"}.ics`);
}

// ------------------------------------------------------------------ start
function chooseDay() {
  const days = S.agenda.conference.days;
  if (S.today && days.includes(S.today)) return S.today;
  const now = nowMs();
  // Before or between conference days: the next one; after the conference: the first.
  for (const d of days) {
    const list = S.byDay.get(d) || [];
    if (list.some((s) => s._end.ms > now)) return d;
  }
  return days[0] || null;
}

async function start() {
  status(t("loading"));
  document.title = t("appTitle");
  let loaded;
  try {
    [loaded] = await Promise.all([loadAgenda(), loadMe()]);
  } catch (err) {
    console.error(err);
    status(t("loadFailed"));
    const empty = $("empty");
    empty.textContent = t("loadFailed");
    const again = document.createElement("button");
    again.className = "btn";
    again.type = "button";
    again.textContent = t("retry");
    again.addEventListener("click", () => window.location.reload());
    empty.append(document.createElement("br"), again);
    empty.hidden = false;
    tg.ready();
    return;
  }
  index(loaded.agenda);
  const name = S.agenda.conference.name;
  $("conf-name").textContent = name;
  document.title = `${name} · ${t("appTitle")}`;
  S.day = chooseDay();
  setupFilters();
  setupDetails();
  const t0 = performance.now();
  draw({ scroll: true });
  const drawn = performance.now();
  const layoutDone = document.body.offsetHeight && performance.now();
  if (loaded.offline) toast(t("offline"));
  tg.ready();
  requestAnimationFrame(() =>
    setTimeout(() => {
      performance.mark("confbot-grid");
      window.__confbot = {
        firstPaint: performance.now(),
        dataAt: t0,
        drawMs: drawn - t0,
        layoutMs: layoutDone - drawn,
        sessions: S.sessions.length,
      };
      document.body.dataset.ready = "1";
    }),
  );
  setInterval(tick, 15000);
  setInterval(async () => {
    try {
      const res = await fetch("api/clock");
      if (res.ok) {
        setClock(await res.json());
        tick();
      }
    } catch (_) {
      /* keep counting */
    }
  }, 300000);
  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => {
      if (S.geo && columnWidth(S.geo.columns.length) !== S.colW) draw();
    }, 100);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "/" && document.activeElement?.tagName !== "INPUT" && !$("details").open) {
      event.preventDefault();
      $("q").focus();
    }
  });
}

start();

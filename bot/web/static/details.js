// A session's details in a modal dialog: time, room, speakers with their profiles, abstract,
// Bookmark, Add to calendar and (once it has started) Rate. Esc, the close button and
// Telegram's BackButton close it; focus goes back to the block that opened it.

import { el, hhmm, icon } from "./grid.js";
import { label, t } from "./i18n.js";

function paragraphs(text) {
  return String(text || "")
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
}

export function renderDetails(dialog, s, ctx) {
  const inner = el("div", "d-inner");
  inner.append(el("div", "d-grab"));

  const head = el("div", "d-head");
  const tags = el("div", "d-tags");
  const type = el("span", "tag", label("types", s.type));
  type.style.setProperty("--c", ctx.typeColour(s.type));
  tags.append(type);
  if (s.track) {
    const track = el("span", "tag", s.track);
    track.style.setProperty("--c", ctx.colour(s));
    tags.append(track);
  }
  const now = ctx.nowMs();
  if (s._start.ms <= now && now < s._end.ms) tags.append(el("span", "tag live", t("live")));
  head.append(tags);
  const close = el("button", "d-close", "×");
  close.type = "button";
  close.setAttribute("aria-label", t("close"));
  close.addEventListener("click", () => dialog.close());
  head.append(close);
  inner.append(head);

  const title = el("h2", "d-title", s.title);
  title.id = "d-title";
  title.tabIndex = -1;
  inner.append(title);
  if (s.subtitle) inner.append(el("p", "d-subtitle", s.subtitle));

  const meta = el("div", "d-meta");
  meta.append(
    el("span", "d-when", t("when", { day: ctx.dayLabel(s.day, true), start: hhmm(s._start.local), end: hhmm(s._end.local) })),
  );
  if (s.room) meta.append(el("span", "d-where", t("where", { room: s.room })));
  inner.append(meta);

  const actions = el("div", "d-actions");
  if (s.bookmarkable && !ctx.readOnly) {
    const on = ctx.bookmarks.has(s.id);
    const bm = el("button", "btn");
    bm.append(icon("star", on ? "icon filled" : "icon outline"), el("span", "", on ? t("bookmarked") : t("bookmark")));
    bm.type = "button";
    bm.id = "d-bookmark";
    bm.setAttribute("aria-pressed", String(on));
    if (on) bm.title = t("removeBookmark");
    bm.addEventListener("click", () => ctx.toggleBookmark(s));
    actions.append(bm);
  }
  const cal = el("a", "btn secondary");
  cal.append(icon("calendar"), el("span", "", t("addToCalendar")));
  cal.id = "d-calendar";
  cal.href = ctx.icsUrl(s);
  cal.setAttribute("download", `${s.key.replace(/[^A-Za-z0-9_.-]+/g, "-") || "session"}.ics`);
  cal.addEventListener("click", (event) => ctx.addToCalendar(event, s));
  actions.append(cal);
  inner.append(actions);

  if (!s.bookmarkable) inner.append(el("p", "note", t("breakNote")));
  else if (ctx.readOnly) inner.append(el("p", "note", t("openInTelegram")));

  if (s.bookmarkable && !ctx.readOnly) {
    const section = el("section", "d-section d-rate");
    section.append(el("h3", "", t("rateTitle")));
    if (s._start.ms <= now) {
      const row = el("div", "rate");
      row.setAttribute("role", "group");
      row.setAttribute("aria-label", t("rateTitle"));
      const mine = ctx.ratings.get(s.id) || 0;
      for (let i = 1; i <= 5; i++) {
        const star = el("button", `star${i <= mine ? " on" : ""}`);
        star.append(icon("star", i <= mine ? "icon filled" : "icon outline"));
        star.type = "button";
        star.dataset.rating = String(i);
        star.setAttribute("aria-label", t("rateStar", { count: i }));
        star.setAttribute("aria-pressed", String(i === mine));
        star.addEventListener("click", () => ctx.rate(s, i));
        row.append(star);
      }
      section.append(row);
      section.append(el("p", "rate-hint", t("rateHint")));
    } else {
      section.append(el("p", "rate-hint", t("rateNotYet")));
    }
    inner.append(section);
  }

  if (s.speakers.length) {
    const section = el("section", "d-section d-speakers");
    section.append(el("h3", "", t("speakers")));
    for (const part of s.speakers) {
      const person = el("div", "person");
      const name = el("div", "person-name", part.name);
      if (part.role && part.role !== "speaker") name.append(el("span", "person-role", label("roles", part.role)));
      person.append(name);
      const profile = ctx.speaker(part.id);
      if (profile && profile.affiliation) person.append(el("div", "person-aff", profile.affiliation));
      if (profile && profile.bio && profile.bio !== profile.affiliation) person.append(el("p", "person-bio", profile.bio));
      const others = ctx.sessionsOf(part.id).filter((o) => o.id !== s.id);
      if (others.length) {
        const also = el("div", "also");
        also.append(el("span", "also-title", t("alsoBy", { name: part.name })));
        for (const o of others.slice(0, 6)) {
          const when = ctx.multiDay ? `${ctx.dayLabel(o.day)} ${hhmm(o._start.local)}` : hhmm(o._start.local);
          const link = el("button", "link", `${when} · ${o.title}`);
          link.type = "button";
          link.addEventListener("click", () => ctx.open(o));
          also.append(link);
        }
        person.append(also);
      }
      section.append(person);
    }
    inner.append(section);
  }

  const text = paragraphs(s.abstract);
  if (text.length) {
    const section = el("section", "d-section abstract");
    section.append(el("h3", "", t("abstract")));
    for (const p of text) section.append(el("p", "", p));
    inner.append(section);
  }
  dialog.replaceChildren(inner);
  dialog.dataset.key = s.key;
}

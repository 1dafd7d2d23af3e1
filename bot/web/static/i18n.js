// Every text the timetable shows, by language. English is complete and the fallback; a
// language is chosen as the bot speaks to the person (their /language choice, which /api/me
// says, else Telegram's language_code; outside Telegram the browser's), e.g. "hu" or "hu-HU".
// Placeholders are {name}; a text with a count has "one" and "other" forms.

export const STRINGS = {
  en: {
    appTitle: "Timetable",
    loading: "Loading the programme…",
    loadFailed: "The programme could not be loaded. Check your connection and try again.",
    retry: "Try again",
    offline: "Offline: showing the programme saved on this device.",
    readOnly: "Read-only: open the timetable in Telegram to bookmark and rate sessions.",
    days: "Days",
    searchPlaceholder: "Search sessions, speakers, topics",
    searchLabel: "Search the programme",
    searchClear: "Clear search",
    searching: "Searching…",
    searchFailed: "The search did not work. Try again.",
    searchTooLong: "That search is too long.",
    filterMine: "My bookmarks",
    filterTrack: "Track",
    filterRoom: "Room",
    filterType: "Type",
    allTracks: "All tracks",
    allRooms: "All rooms",
    allTypes: "All types",
    clearFilters: "Clear filters",
    matches: { one: "{count} session matches", other: "{count} sessions match" },
    matchesElsewhere: {
      one: "Nothing on this day; {count} session matches on other days.",
      other: "Nothing on this day; {count} sessions match on other days.",
    },
    nothingMatches: "No session matches these filters.",
    noSessions: "No sessions on this day.",
    noRoom: "Other",
    now: "Now {time}",
    nowLine: "Current time",
    live: "Now on",
    bookmarkedMark: "Bookmarked",
    close: "Close",
    when: "{day}, {start}–{end}",
    where: "Room: {room}",
    speakers: "Speakers",
    abstract: "About this session",
    alsoBy: "More with {name}",
    bookmark: "Bookmark",
    bookmarked: "Bookmarked",
    removeBookmark: "Remove bookmark",
    addToCalendar: "Add to calendar",
    openInTelegram: "Open the timetable in Telegram to bookmark and rate.",
    rateTitle: "Rate this session",
    rateHint: "Tap a star: 1 is poor, 5 is excellent.",
    rateStar: { one: "{count} star", other: "{count} stars" },
    rateSaved: "Thanks! You rated it {rating} out of 5.",
    rateNotYet: "You can rate this session once it has started.",
    breakNote: "A break: nothing to bookmark or rate.",
    toastBookmarked: { one: "Bookmarked. Your reminder comes {count} minute before.", other: "Bookmarked. Your reminder comes {count} minutes before." },
    toastBookmarkedPlain: "Bookmarked.",
    toastRemoved: "Bookmark removed.",
    errorAuth: "Telegram's sign-in for this page has expired. Close the timetable and open it again.",
    errorGeneric: "That did not work. Please try again.",
    errorNetwork: "No connection. Please try again.",
    types: {
      talk: "Talk",
      panel: "Panel",
      keynote: "Keynote",
      workshop: "Workshop",
      opening: "Opening",
      closing: "Closing",
      break: "Break",
      social: "Social",
      other: "Other",
    },
    roles: {
      speaker: "Speaker",
      moderator: "Moderator",
      chair: "Chair",
      host: "Host",
      panelist: "Panellist",
      panellist: "Panellist",
    },
  },
  hu: {
    appTitle: "Programrend",
    loading: "A program betöltése…",
    loadFailed: "A programot nem sikerült betölteni. Ellenőrizze a kapcsolatot, és próbálja újra.",
    retry: "Újra",
    offline: "Nincs kapcsolat: a készüléken mentett programot látja.",
    readOnly: "Csak olvasható: a könyvjelzőkhöz és az értékeléshez nyissa meg a programot a Telegramban.",
    days: "Napok",
    searchPlaceholder: "Előadások, előadók, témák keresése",
    searchLabel: "Keresés a programban",
    searchClear: "Keresés törlése",
    searching: "Keresés…",
    searchFailed: "A keresés nem sikerült. Próbálja újra.",
    searchTooLong: "Ez a keresés túl hosszú.",
    filterMine: "Könyvjelzőim",
    filterTrack: "Szekció",
    filterRoom: "Terem",
    filterType: "Típus",
    allTracks: "Minden szekció",
    allRooms: "Minden terem",
    allTypes: "Minden típus",
    clearFilters: "Szűrők törlése",
    matches: { one: "{count} programpont felel meg", other: "{count} programpont felel meg" },
    matchesElsewhere: {
      one: "Ezen a napon nincs találat; más napokon {count} programpont felel meg.",
      other: "Ezen a napon nincs találat; más napokon {count} programpont felel meg.",
    },
    nothingMatches: "Egy programpont sem felel meg ezeknek a szűrőknek.",
    noSessions: "Ezen a napon nincs programpont.",
    noRoom: "Egyéb",
    now: "Most {time}",
    nowLine: "A pontos idő",
    live: "Most zajlik",
    bookmarkedMark: "Könyvjelzővel",
    close: "Bezárás",
    when: "{day}, {start}–{end}",
    where: "Terem: {room}",
    speakers: "Előadók",
    abstract: "A programpontról",
    alsoBy: "{name} további programjai",
    bookmark: "Könyvjelző",
    bookmarked: "Könyvjelzővel ellátva",
    removeBookmark: "Könyvjelző törlése",
    addToCalendar: "Hozzáadás a naptárhoz",
    openInTelegram: "A könyvjelzőkhöz és az értékeléshez nyissa meg a programot a Telegramban.",
    rateTitle: "Értékelje a programpontot",
    rateHint: "Koppintson egy csillagra: 1 gyenge, 5 kiváló.",
    rateStar: { one: "{count} csillag", other: "{count} csillag" },
    rateSaved: "Köszönjük! Értékelése: {rating} az 5-ből.",
    rateNotYet: "A programpontot a kezdete után értékelheti.",
    breakNote: "Szünet: nincs mit könyvjelzővel ellátni vagy értékelni.",
    toastBookmarked: { one: "Könyvjelző elmentve. Az emlékeztető {count} perccel előtte érkezik.", other: "Könyvjelző elmentve. Az emlékeztető {count} perccel előtte érkezik." },
    toastBookmarkedPlain: "Könyvjelző elmentve.",
    toastRemoved: "Könyvjelző törölve.",
    errorAuth: "A Telegram-bejelentkezés ehhez az oldalhoz lejárt. Zárja be a programot, és nyissa meg újra.",
    errorGeneric: "Ez nem sikerült. Kérjük, próbálja újra.",
    errorNetwork: "Nincs kapcsolat. Kérjük, próbálja újra.",
    types: {
      talk: "Előadás",
      panel: "Panelbeszélgetés",
      keynote: "Kiemelt előadás",
      workshop: "Műhely",
      opening: "Megnyitó",
      closing: "Zárszó",
      break: "Szünet",
      social: "Társasági program",
      other: "Egyéb",
    },
    roles: {
      speaker: "Előadó",
      moderator: "Moderátor",
      chair: "Levezető elnök",
      host: "Házigazda",
      panelist: "Panelista",
      panellist: "Panelista",
    },
  },
};

let lang = "en";

/** Pick the language from a code like "hu" or "hu-HU"; unknown ones fall back to English. */
export function setLanguage(code) {
  const base = String(code || "").toLowerCase().split(/[-_]/)[0];
  lang = Object.prototype.hasOwnProperty.call(STRINGS, base) ? base : "en";
  document.documentElement.lang = lang;
  return lang;
}

export function language() {
  return lang;
}

function lookup(path, table) {
  let value = table;
  for (const part of path.split(".")) {
    if (value == null) return undefined;
    value = value[part];
  }
  return value;
}

/** The text for ``key`` with {placeholders} filled; a {count} picks the plural form. */
export function t(key, vars = {}) {
  let value = lookup(key, STRINGS[lang]);
  if (value === undefined) value = lookup(key, STRINGS.en);
  if (value === undefined) return key;
  if (typeof value === "object") {
    const form = new Intl.PluralRules(lang).select(Number(vars.count ?? 0));
    value = value[form] ?? value.other;
  }
  return String(value).replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** A type or role label, or the word itself when the table has none. */
export function label(group, id) {
  const value = lookup(`${group}.${id}`, STRINGS[lang]) ?? lookup(`${group}.${id}`, STRINGS.en);
  if (typeof value === "string") return value;
  const word = String(id || "");
  return word.charAt(0).toUpperCase() + word.slice(1);
}

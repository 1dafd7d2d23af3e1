// A minimal bridge to the Telegram Mini App platform, written for confbot.
//
// Why not telegram-web-app.js: that script is loaded from telegram.org, and confbot serves
// every file itself (the app must keep working on a venue's poor connection). This module does
// the little the timetable needs, through the documented transport: launch parameters in the
// URL's hash (tgWebAppData, tgWebAppThemeParams, tgWebAppVersion, tgWebAppPlatform), methods
// sent with TelegramWebviewProxy.postEvent (mobile and desktop), window.external.notify
// (Windows Phone) or window.parent.postMessage (Telegram Web, in an iframe), and events
// received through window.Telegram.WebView.receiveEvent or a message from the parent frame.

const STORE_KEY = "confbot.tg.launch";

function readLaunch() {
  const hash = window.location.hash.replace(/^#/, "");
  let params = new URLSearchParams(hash);
  if (params.has("tgWebAppData") || params.has("tgWebAppVersion")) {
    try {
      sessionStorage.setItem(STORE_KEY, hash);
    } catch (_) {
      /* private mode: nothing to keep */
    }
  } else {
    // Some clients drop the hash when the page reloads; the tab keeps what it was opened with.
    try {
      const kept = sessionStorage.getItem(STORE_KEY);
      if (kept) params = new URLSearchParams(kept);
    } catch (_) {
      /* ignore */
    }
  }
  let theme = {};
  try {
    theme = JSON.parse(params.get("tgWebAppThemeParams") || "{}") || {};
  } catch (_) {
    theme = {};
  }
  const initData = params.get("tgWebAppData") || "";
  let user = null;
  try {
    // Only for the language and a greeting: the server trusts nothing but the signed string.
    user = JSON.parse(new URLSearchParams(initData).get("user") || "null");
  } catch (_) {
    user = null;
  }
  return {
    initData,
    user,
    version: params.get("tgWebAppVersion") || "",
    platform: params.get("tgWebAppPlatform") || "",
    theme,
  };
}

export const launch = readLaunch();
/** Inside Telegram (something to post events to), whether or not we are signed in. */
export const inTelegram = Boolean(
  launch.version && (window.TelegramWebviewProxy || window.external?.notify || window.parent !== window),
);

const listeners = new Map();

function dispatch(type, data) {
  for (const fn of listeners.get(type) || []) {
    try {
      fn(data);
    } catch (err) {
      console.error(err);
    }
  }
}

export function on(type, fn) {
  if (!listeners.has(type)) listeners.set(type, new Set());
  listeners.get(type).add(fn);
}

window.Telegram = window.Telegram || {};
window.Telegram.WebView = window.Telegram.WebView || {};
window.Telegram.WebView.receiveEvent = (type, data) => dispatch(type, data);
window.TelegramGameProxy = window.TelegramGameProxy || { receiveEvent: (type, data) => dispatch(type, data) };
window.addEventListener("message", (event) => {
  if (event.source !== window.parent) return;
  try {
    const msg = typeof event.data === "string" ? JSON.parse(event.data) : event.data;
    if (msg && typeof msg.eventType === "string") dispatch(msg.eventType, msg.eventData);
  } catch (_) {
    /* not ours */
  }
});

export function postEvent(type, data = {}) {
  try {
    if (window.TelegramWebviewProxy && window.TelegramWebviewProxy.postEvent) {
      window.TelegramWebviewProxy.postEvent(type, JSON.stringify(data));
    } else if (window.external && "notify" in window.external) {
      window.external.notify(JSON.stringify({ eventType: type, eventData: data }));
    } else if (window.parent !== window) {
      // UI commands only, nothing private: any embedder may read them, as with Telegram's own.
      window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data }), "*");
    }
  } catch (err) {
    console.warn("Telegram bridge:", err);
  }
}

export function versionAtLeast(wanted) {
  const have = (launch.version || "0").split(".").map(Number);
  const want = wanted.split(".").map(Number);
  for (let i = 0; i < Math.max(have.length, want.length); i++) {
    const a = have[i] || 0;
    const b = want[i] || 0;
    if (a !== b) return a > b;
  }
  return true;
}

function luminance(hex) {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex || "");
  if (!m) return 1;
  const n = parseInt(m[1], 16);
  const ch = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2];
}

/** Telegram's theme as CSS variables (--tg-theme-bg-color, ...), and light or dark. */
export function applyTheme(theme) {
  const root = document.documentElement;
  for (const [key, value] of Object.entries(theme || {})) {
    if (typeof value === "string" && /^#[0-9a-f]{3,8}$/i.test(value)) {
      root.style.setProperty(`--tg-theme-${key.replace(/_/g, "-")}`, value);
    }
  }
  if (theme && theme.bg_color) {
    root.dataset.scheme = luminance(theme.bg_color) < 0.3 ? "dark" : "light";
  }
}

export const tg = {
  ready() {
    postEvent("web_app_ready");
  },
  expand() {
    postEvent("web_app_expand");
  },
  backButton: {
    show() {
      if (versionAtLeast("6.1")) postEvent("web_app_setup_back_button", { is_visible: true });
    },
    hide() {
      if (versionAtLeast("6.1")) postEvent("web_app_setup_back_button", { is_visible: false });
    },
    onClick(fn) {
      on("back_button_pressed", fn);
    },
  },
  haptic(kind) {
    if (!versionAtLeast("6.1")) return;
    if (kind === "success" || kind === "error" || kind === "warning") {
      postEvent("web_app_trigger_haptic_feedback", { type: "notification", notification_type: kind });
    } else if (kind === "selection") {
      postEvent("web_app_trigger_haptic_feedback", { type: "selection_change" });
    } else {
      postEvent("web_app_trigger_haptic_feedback", { type: "impact", impact_style: kind || "light" });
    }
  },
  openLink(url) {
    postEvent("web_app_open_link", { url });
  },
  /** Telegram 8.0+ downloads a file itself; older clients open it in the browser. */
  download(url, fileName) {
    if (versionAtLeast("8.0")) postEvent("web_app_request_file_download", { url, file_name: fileName });
    else postEvent("web_app_open_link", { url });
  },
  setColors() {
    if (versionAtLeast("6.1")) {
      postEvent("web_app_set_header_color", { color_key: "bg_color" });
      if (launch.theme.bg_color) postEvent("web_app_set_background_color", { color: launch.theme.bg_color });
    }
  },
};

on("theme_changed", (data) => {
  if (data && data.theme_params) {
    launch.theme = data.theme_params;
    applyTheme(data.theme_params);
  }
});
on("viewport_changed", (data) => {
  if (data && typeof data.height === "number" && data.height > 0) {
    document.documentElement.style.setProperty("--tg-viewport-height", `${data.height}px`);
  }
});

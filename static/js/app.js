// Small progressive enhancements; every page works without this file.
document.addEventListener("click", (event) => {
  // Close an open menu when the click lands outside it.
  document.querySelectorAll("details.menu[open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
  });
});

// One header menu open at a time: opening one closes the others.
document.querySelectorAll("header details.menu").forEach((menu) => {
  menu.addEventListener("toggle", () => {
    if (!menu.open) return;
    document.querySelectorAll("header details.menu[open]").forEach((other) => {
      if (other !== menu) other.removeAttribute("open");
    });
  });
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    document.querySelectorAll("details.menu[open]").forEach((menu) => menu.removeAttribute("open"));
  }
});

// Forms that destroy something ask once more before they go.
document.addEventListener("submit", (event) => {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});

// Dates of the last 7 days shown as "3 hours ago" in the page's language (the server marks them data-relative and
// writes the same; this keeps a cached page current); the full date stays as the tooltip.
(() => {
  const times = document.querySelectorAll("time[data-relative]");
  if (!times.length || !window.Intl || !Intl.RelativeTimeFormat) return;
  const lang = document.documentElement.lang || undefined;
  const relative = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
  const steps = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
  const now = Date.now();
  times.forEach((time) => {
    const then = Date.parse(time.getAttribute("datetime"));
    if (Number.isNaN(then)) return;
    const seconds = Math.round((then - now) / 1000);
    if (Math.abs(seconds) >= 7 * 86400) return; // older dates read better as dates (the server wrote one)
    for (const [unit, size] of steps) {
      if (Math.abs(seconds) >= size) {
        time.textContent = relative.format(Math.round(seconds / size), unit);
        return;
      }
    }
    time.textContent = relative.format(0, "minute");
  });
})();

// A live character count under text areas that have a limit.
document.querySelectorAll("[data-counter-for]").forEach((counter) => {
  const field = document.getElementById(counter.dataset.counterFor);
  const limit = field && Number(field.getAttribute("maxlength"));
  if (!limit) return;
  const format = new Intl.NumberFormat(document.documentElement.lang || undefined);
  const update = () => {
    const used = field.value.length;
    counter.textContent = `${format.format(used)} / ${format.format(limit)}`;
    counter.classList.toggle("is-near", used >= limit * 0.9 && used < limit);
    counter.classList.toggle("is-over", used >= limit);
  };
  counter.hidden = false;
  field.addEventListener("input", update);
  update();
});

// Opening "Reply" (or the feed's composer) puts the cursor in the text box, after any @mention already there.
document.querySelectorAll("details.reply, details.composer-collapsible").forEach((details) => {
  details.addEventListener("toggle", () => {
    if (!details.open) return;
    const box = details.querySelector("textarea");
    if (box) {
      box.focus();
      box.setSelectionRange(box.value.length, box.value.length);
    }
  });
});

// While a new idea's title is typed, list similar ideas (an HTML fragment from the server) so members vote instead of duplicating.
document.querySelectorAll("input[data-similar-url]").forEach((input) => {
  const target = document.getElementById(input.dataset.similarTarget);
  if (!target || !window.fetch) return;
  const base = input.dataset.similarUrl;
  const joiner = base.includes("?") ? "&" : "?";
  let timer;
  let latest = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const title = input.value.trim();
      const asked = ++latest; // a slow answer to an older title must not replace a newer one
      if (title.length < 4) {
        target.innerHTML = "";
        return;
      }
      fetch(`${base}${joiner}title=${encodeURIComponent(title)}`, { credentials: "same-origin" })
        .then((response) => (response.ok ? response.text() : ""))
        .then((html) => {
          if (asked === latest) target.innerHTML = html;
        })
        .catch(() => {});
    }, 300);
  });
});

// Filter menus apply as soon as one is changed (a button stays for browsers without scripts).
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
});

// Votes and likes without a page reload. The form is sent by fetch() with its CSRF token (in the form and in the
// X-CSRFToken header); the server answers JSON with the new state and the pieces of page that show it. Without
// scripts, or when the server answers but not with JSON (a rate limit, an expired session: nothing was changed), the
// form goes as a page, which the server sends back to the same place (#idea-12, #post-3). When the server cannot be
// reached, the form is not sent again (the first one may have arrived, and a like is a toggle): the page stays as it
// was and says so (the message is the page's, <body data-msg-unreachable>).
(() => {
  if (!window.fetch || !window.FormData) return;
  class NotJson extends Error {}
  let live = null;
  let timer;
  const announce = (message, category) => {
    if (!message) return;
    if (!live) {
      live = document.createElement("div");
      live.className = "flashes-live";
      live.setAttribute("role", "status");
      document.body.append(live);
    }
    // The message replaces the page's older flashes: they spoke of what came before.
    document.querySelectorAll("main .flashes").forEach((old) => old.remove());
    live.classList.add("flashes");
    const note = document.createElement("p");
    note.className = `notice notice-${category || "info"}`;
    note.textContent = message;
    live.replaceChildren(note);
    clearTimeout(timer);
    timer = setTimeout(() => live.replaceChildren(), 8000);
  };
  const send = (form) => {
    const data = new FormData(form);
    return fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": data.get("csrf_token") || "" },
    }).then((response) => {
      if (!(response.headers.get("Content-Type") || "").includes("application/json")) throw new NotJson();
      return response.json();
    });
  };
  // The server answered a page (send it as one); else it could not be reached: leave everything as it was.
  const failed = (form, restore) => (error) => {
    if (error instanceof NotJson) {
      form.submit();
      return;
    }
    restore();
    announce(document.body.dataset.msgUnreachable, "warning");
  };
  const fragment = (html) => {
    const holder = document.createElement("template");
    holder.innerHTML = html.trim();
    return holder.content.firstElementChild;
  };

  const vote = (form) => {
    const place = form.closest("[id]");
    const placeId = place && place.id;
    const before = place ? place.getBoundingClientRect().top : 0;
    const hadFocus = form.contains(document.activeElement);
    const enabled = [...form.querySelectorAll("button")].filter((button) => !button.disabled);
    enabled.forEach((button) => { button.disabled = true; });
    send(form).then((state) => {
      document.querySelectorAll(`[data-vote-box="${state.idea_id}"]`).forEach((box) => {
        box.replaceWith(fragment(box.classList.contains("vote-box-large") ? state.box_large : state.box));
      });
      const panel = document.querySelector(`[data-budget-panel="${state.board_id}"]`);
      if (panel) {
        const wasOpen = Boolean(panel.querySelector("details[open]"));
        const fresh = fragment(state.panel);
        const details = fresh.querySelector("details");
        if (details && wasOpen) details.open = true;
        panel.replaceWith(fresh);
      }
      const line = document.querySelector("[data-votes-left]");
      if (line) line.replaceWith(fragment(state.left_line));
      // Every other idea of the board: out of votes, its button waits, described by the reason.
      document.querySelectorAll(`.vote-box[data-board="${state.board_id}"]:not(.is-voted)`).forEach((box) => {
        const button = box.querySelector("form button.vote-button");
        if (!button) return;
        const out = state.left === 0;
        box.classList.toggle("is-out", out);
        button.disabled = out;
        if (out) button.setAttribute("aria-describedby", "no-votes-reason");
        else button.removeAttribute("aria-describedby");
      });
      // The page stays where the reader was, even when My votes above grew or shrank.
      const again = placeId && document.getElementById(placeId);
      if (again) window.scrollBy(0, again.getBoundingClientRect().top - before);
      if (hadFocus) {
        const next = document.querySelector(`[data-vote-box="${state.idea_id}"] button:not([disabled])`)
          || document.querySelector("[data-budget-panel] summary");
        if (next) next.focus({ preventScroll: true });
      }
      announce(state.message, state.category);
    }, failed(form, () => enabled.forEach((button) => { button.disabled = false; })));
  };

  const like = (form) => {
    const button = form.querySelector("button");
    button.disabled = true;
    send(form).then((state) => {
      button.disabled = false;
      if (state.liked !== null) {
        button.classList.toggle("is-liked", state.liked);
        button.setAttribute("aria-pressed", state.liked ? "true" : "false");
        button.title = state.liked ? button.dataset.titleOn : button.dataset.titleOff;
        const heart = button.querySelector("svg");
        if (heart) heart.setAttribute("fill", state.liked ? "currentColor" : "none");
      }
      const count = button.querySelector(".count");
      if (count) count.textContent = String(state.count);
      announce(state.message, "warning");
    }, failed(form, () => { button.disabled = false; }));
  };

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented) return;
    if (form.matches("[data-vote-form]")) {
      event.preventDefault();
      vote(form);
    } else if (form.matches("[data-like-form]")) {
      event.preventDefault();
      like(form);
    }
  });
})();

// A link to a closed <details> (the board's "My votes") opens it.
(() => {
  const open = () => {
    const target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (target && target.tagName === "DETAILS") target.open = true;
  };
  window.addEventListener("hashchange", open);
  open();
})();

// The priorities page saves every row at once: a row whose impact or effort changed is marked until it is saved.
document.querySelectorAll("select[data-estimate]").forEach((select) => {
  const shown = select.form.querySelector(`input[name="was-${select.name}"]`);
  select.addEventListener("change", () => {
    select.classList.toggle("is-changed", Boolean(shown) && select.value !== shown.value);
    const row = select.closest("tr");
    if (row) row.classList.toggle("is-changed", Boolean(row.querySelector("select.is-changed")));
  });
});

// Leaving the priorities page (a filter, a sort link, the pager) would lose the rows changed but not saved: the
// browser asks first (its own words; pages cannot set them). Saving them is not leaving.
(() => {
  const form = document.getElementById("estimates-form");
  if (!form) return;
  let saving = false;
  form.addEventListener("submit", () => { saving = true; });
  window.addEventListener("pageshow", () => { saving = false; }); // back here from the browser's history
  window.addEventListener("beforeunload", (event) => {
    if (saving || !form.querySelector("tr.is-changed")) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers ask only when this is set
  });
})();

// Small progressive enhancements; every page works without this file.
document.addEventListener("click", (event) => {
  // Close an open menu when the click lands outside it.
  document.querySelectorAll("details.menu[open]").forEach((menu) => {
    if (!menu.contains(event.target)) menu.removeAttribute("open");
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

// Dates shown as "3 hours ago" in the page's language; the server's formatted date stays as the tooltip.
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
    if (Math.abs(seconds) > 30 * 86400) return; // older dates read better as dates
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

// On phones the main links scroll sideways; fade the edge while more links hide there.
document.querySelectorAll(".main-nav").forEach((nav) => {
  const update = () => {
    nav.classList.toggle("has-overflow", nav.scrollWidth > nav.clientWidth + 1);
    nav.classList.toggle("at-end", nav.scrollLeft + nav.clientWidth >= nav.scrollWidth - 1);
  };
  nav.addEventListener("scroll", update, { passive: true });
  window.addEventListener("resize", update);
  update();
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

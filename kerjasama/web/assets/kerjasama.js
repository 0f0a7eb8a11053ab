// kerjasama web UI helpers: [n] markers open their source in the sources panel; copy answer to clipboard.
(() => {
  if (window.kerjasamaInstalled) return;
  window.kerjasamaInstalled = true;

  function refOf(ev) {
    const path = ev.composedPath ? ev.composedPath() : [ev.target];
    return path.find((el) => el && el.classList && el.classList.contains("kjs-ref")) || null;
  }

  document.addEventListener("click", (ev) => {
    const a = refOf(ev);
    if (!a) return;
    ev.preventDefault();
    ev.stopPropagation();
    const id = (a.getAttribute("data-target") || a.getAttribute("href") || "").replace(/^#/, "");
    if (!id) return;
    const root = a.getRootNode();
    const el = (root && root.getElementById && root.getElementById(id)) || document.getElementById(id);
    if (!el) return;
    el.open = true;
    el.scrollIntoView({ block: "nearest" });
    el.classList.add("kjs-flash");
    setTimeout(() => el.classList.remove("kjs-flash"), 1500);
  }, true);

  window.kerjasamaCopy = async (text) => {
    if (!text) return;
    try {
      await navigator.clipboard.writeText(text);
    } catch (err) {
      const ta = document.createElement("textarea");
      ta.value = text;
      document.body.appendChild(ta);
      ta.select();
      document.execCommand("copy");
      ta.remove();
    }
    const btn = document.getElementById("kjs-copy");
    if (btn) btn.setAttribute("data-copied", String(Date.now()));
  };
})();

/* askposts: the chat on the organisation's own pages, from one line:
     <script src="https://HOST/widget.js" defer></script>
   A floating button opens a panel in a Shadow DOM (the page's styles do not reach it). It asks
   HOST's /api/ask, shows the answer with its numbered, linked citations, and sends thumbs up or
   down to /api/feedback. Everything from an answer is inserted as text, never as HTML. No
   framework, no cookies, no third-party requests. The text comes from askposts' catalogue. */
(function () {
  "use strict";
  var T = __ASKPOSTS_TEXT__;
  var me = document.currentScript;
  var base = new URL(me ? me.src : "/", location.href).origin;
  if (window.__askposts) return;
  window.__askposts = true;

  var CSS = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}",
    ".open{position:fixed;right:1rem;bottom:1rem;z-index:2147483000;background:#0b5394;",
    "color:#fff;border:0;border-radius:2rem;padding:.8rem 1.2rem;font-size:1rem;",
    "font-weight:600;box-shadow:0 2px 8px rgba(0,0,0,.3);cursor:pointer}",
    "button:focus-visible,a:focus-visible,input:focus-visible{outline:3px solid #f1c232;",
    "outline-offset:2px}",
    ".panel{position:fixed;right:1rem;bottom:4.5rem;z-index:2147483001;width:24rem;",
    "max-height:min(36rem,80vh);display:flex;flex-direction:column;background:#fff;",
    "color:#1a1a1a;border-radius:.75rem;box-shadow:0 4px 24px rgba(0,0,0,.35);",
    "transition:opacity .15s}",
    ".panel[hidden]{display:none}",
    "header{display:flex;align-items:center;justify-content:space-between;padding:.75rem 1rem;",
    "background:#0b5394;color:#fff;border-radius:.75rem .75rem 0 0}",
    "h2{font-size:1rem;margin:0}",
    ".close{background:transparent;color:#fff;border:0;font-size:1.5rem;cursor:pointer;",
    "line-height:1;padding:0 .25rem}",
    ".log{flex:1;overflow-y:auto;padding:.75rem 1rem;font-size:.95rem;line-height:1.45}",
    ".q{font-weight:600;margin:.75rem 0 .25rem;overflow-wrap:anywhere}",
    ".a{margin:.25rem 0;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".meta{color:#555;font-size:.85rem}.warn{color:#8a3b00}",
    "ol,ul{padding-left:1.25rem;margin:.25rem 0}li{margin:.25rem 0}",
    "a{color:#0b5394}blockquote{margin:.25rem 0 .5rem .5rem;padding-left:.5rem;",
    "border-left:3px solid #ccc;color:#333;overflow-wrap:anywhere}",
    "mark{background:#fff1a8;color:inherit}",
    ".ex{display:block;width:100%;text-align:left;margin:.25rem 0;padding:.4rem .6rem;",
    "border:1px solid #0b5394;border-radius:.4rem;background:#fff;color:#0b5394;",
    "cursor:pointer;font-size:.9rem}",
    ".fb button{margin-right:.4rem;border:1px solid #767676;background:#fff;color:#1a1a1a;",
    "border-radius:.4rem;padding:.2rem .5rem;cursor:pointer}",
    "form{display:flex;gap:.5rem;padding:.75rem 1rem;border-top:1px solid #ddd;flex-wrap:wrap}",
    "label{width:100%;font-size:.85rem;color:#333}",
    "input{flex:1;min-width:0;padding:.55rem;font-size:1rem;border:1px solid #767676;",
    "border-radius:.4rem}",
    ".send{background:#0b5394;color:#fff;border:0;border-radius:.4rem;padding:.55rem .9rem;",
    "font-size:1rem;cursor:pointer}",
    "footer{padding:0 1rem .6rem;font-size:.8rem}",
    "@media (max-width:480px){.panel{inset:0;width:auto;max-height:none;border-radius:0}",
    "header{border-radius:0}}",
    "@media (prefers-reduced-motion:reduce){.panel{transition:none}}"
  ].join("");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs || {}) node.setAttribute(k, attrs[k]);
    if (text != null) node.textContent = text;
    return node;
  }

  var host = el("div", { id: "askposts-widget" });
  var root = host.attachShadow({ mode: "open" });
  root.appendChild(el("style", {}, CSS));
  var openBtn = el("button", { "class": "open", type: "button", "aria-expanded": "false",
    "aria-controls": "askposts-panel" }, T.open);
  var panel = el("div", { "class": "panel", id: "askposts-panel", role: "dialog",
    "aria-label": T.title, hidden: "" });
  var head = el("header");
  head.appendChild(el("h2", {}, T.title));
  var closeBtn = el("button", { "class": "close", type: "button", "aria-label": T.close }, "×");
  head.appendChild(closeBtn);
  var log = el("div", { "class": "log", role: "log", "aria-live": "polite",
    "aria-label": T.conversation });
  log.appendChild(el("p", { "class": "meta" }, T.intro));
  var examples = el("div", { role: "group", "aria-label": T.examples });
  T.exampleList.forEach(function (q) {
    var b = el("button", { "class": "ex", type: "button" }, q);
    b.addEventListener("click", function () { ask(q); });
    examples.appendChild(b);
  });
  log.appendChild(examples);
  var form = el("form");
  form.appendChild(el("label", { "for": "askposts-q" }, T.label));
  var input = el("input", { id: "askposts-q", type: "text", autocomplete: "off",
    placeholder: T.placeholder, maxlength: String(T.limit * 2) });
  form.appendChild(input);
  var send = el("button", { "class": "send", type: "submit" }, T.send);
  form.appendChild(send);
  var foot = el("footer");
  foot.appendChild(el("a", { href: base + "/privacidad", target: "_blank",
    rel: "noopener" }, T.privacy));
  panel.appendChild(head); panel.appendChild(log); panel.appendChild(form);
  panel.appendChild(foot);
  root.appendChild(openBtn); root.appendChild(panel);
  (document.body || document.documentElement).appendChild(host);

  var asked = [];
  var busy = false;

  function setOpen(open) {
    panel.hidden = !open;
    openBtn.setAttribute("aria-expanded", String(open));
    if (open) input.focus(); else openBtn.focus();
  }
  openBtn.addEventListener("click", function () { setOpen(panel.hidden); });
  closeBtn.addEventListener("click", function () { setOpen(false); });
  document.addEventListener("keydown", function (e) {  // wherever the focus is
    if (e.key === "Escape" && !panel.hidden) { e.preventDefault(); setOpen(false); }
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); ask(input.value); });

  function link(hit) {
    var href = hit.url || hit.link || "";
    if (!/^https?:\/\//i.test(href)) return el("span", {}, hit.title);
    return el("a", { href: href, target: "_blank", rel: "noopener" }, hit.title);
  }

  function quote(hit) {
    var q = el("blockquote");
    var text = hit.text || "", key = hit.key;
    if (key && key[1] > key[0]) {
      q.appendChild(document.createTextNode(text.slice(0, key[0])));
      q.appendChild(el("mark", {}, text.slice(key[0], key[1])));
      q.appendChild(document.createTextNode(text.slice(key[1])));
    } else {
      q.textContent = text;
    }
    return q;
  }

  function feedback(id, box) {
    var row = el("p", { "class": "fb" });
    row.appendChild(el("span", { "class": "meta" }, T.useful + " "));
    [[true, T.yes], [false, T.no]].forEach(function (pair) {
      var b = el("button", { type: "button" }, pair[1]);
      b.addEventListener("click", function () {
        fetch(base + "/api/feedback", { method: "POST", credentials: "omit",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ id: id, useful: pair[0] }) })
          .then(function () { row.textContent = T.thanks; input.focus(); })
          .catch(function () { row.textContent = T.error; });
      });
      row.appendChild(b);
    });
    box.appendChild(row);
  }

  function show(question, a) {
    var box = el("div");
    box.appendChild(el("p", { "class": "q" }, T.you + ": " + question));
    box.appendChild(el("p", { "class": "a" }, a.text));
    if (a.grade === "near") box.appendChild(el("p", { "class": "meta warn" }, T.near));
    if (a.citations && a.citations.length) {
      box.appendChild(el("p", { "class": "meta" }, T.sources));
      var ol = el("ol", { "aria-label": T.sources });
      a.citations.forEach(function (hit) {
        var li = el("li");
        li.appendChild(link(hit));
        li.appendChild(quote(hit));
        ol.appendChild(li);
      });
      box.appendChild(ol);
    }
    if (a.related && a.related.length) {
      var label = a.found ? T.also : T.related;
      box.appendChild(el("p", { "class": "meta" }, label));
      var ul = el("ul", { "aria-label": label });
      a.related.forEach(function (hit) {
        var li = el("li"); li.appendChild(link(hit)); ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    if (a.id) feedback(a.id, box);
    return box;
  }

  function note(question, text) {
    var box = el("div");
    box.appendChild(el("p", { "class": "q" }, T.you + ": " + question));
    box.appendChild(el("p", { "class": "warn", role: "status" }, text));
    return box;
  }

  // Refused (429: this connection asked too often; 503: everyone is asking): the server's
  // Spanish message is shown, and the button counts down the seconds it asked us to wait.
  // Nothing is sent again by itself; the question stays in the box.
  var pausedUntil = 0;

  function retryAfter(r) {
    if (r.status !== 429 && r.status !== 503) return 0;
    var s = parseInt(r.headers.get("Retry-After"), 10);
    return s > 0 ? Math.min(s, 120) : 5;
  }

  function pause(seconds) {
    var left = seconds;
    pausedUntil = Date.now() + seconds * 1000;
    send.disabled = true;
    (function tick() {
      if (left <= 0) {
        pausedUntil = 0; send.disabled = false; send.textContent = T.send;
        return;
      }
      send.textContent = T.send + " (" + left + " s)";
      left -= 1;
      setTimeout(tick, 1000);
    })();
  }

  function ask(raw) {
    var question = String(raw || "").trim();
    if (!question || busy || Date.now() < pausedUntil) return;
    if (question.length > T.limit) {
      log.appendChild(note(question.slice(0, 80) + "…", T.tooLong
        .replace("{length}", question.length).replace("{limit}", T.limit)));
      return;
    }
    busy = true; send.disabled = true;
    var wait = el("p", { "class": "meta", role: "status" }, T.searching);
    log.appendChild(wait);
    var params = new URLSearchParams({ q: question, source: "widget" });
    asked.slice(-3).forEach(function (c) { params.append("context", c); });
    fetch(base + "/api/ask?" + params.toString(), { credentials: "omit" })
      .then(function (r) {
        return r.json().then(function (body) {
          return { ok: r.ok, body: body, wait: retryAfter(r) };
        });
      })
      .then(function (res) {
        wait.remove();
        if (!res.ok) {
          log.appendChild(note(question, res.body.error || T.error));
          if (res.wait) pause(res.wait);
          return;
        }
        log.appendChild(show(question, res.body));
        asked.push(question);
        input.value = "";  // answered: the box is emptied; on an error the question stays
      })
      .catch(function () { wait.remove(); log.appendChild(note(question, T.error)); })
      .then(function () {
        busy = false;
        if (!pausedUntil) send.disabled = false;
        log.scrollTop = log.scrollHeight;
      });
  }
})();

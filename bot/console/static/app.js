// The organizers' console: reads Telegram's signed init data from the URL
// fragment (tgWebAppData, as Telegram opens a Mini App; the demo's link
// carries the same), sends it with every API call, and draws the figures.
(function () {
  "use strict";
  var hash = new URLSearchParams(location.hash.slice(1));
  var initData = hash.get("tgWebAppData") || "";
  try {
    var theme = JSON.parse(hash.get("tgWebAppThemeParams") || "{}");
    Object.keys(theme).forEach(function (k) {
      document.documentElement.style.setProperty("--tg-theme-" + k.replace(/_/g, "-"), theme[k]);
    });
  } catch (e) { /* no theme: the defaults */ }
  // The words come with the figures, in the member's language (chosen in
  // the bot, else Telegram's), from the bot's own translations.
  var words = {};
  function setWords(w, lang) {
    words = w;
    document.documentElement.lang = lang;
    document.getElementById("title").textContent = words.title;
    document.getElementById("q").placeholder = words.search;
    document.getElementById("card-close").textContent = words.close;
  }

  function api(path) {
    return fetch(path, { headers: { Authorization: "tma " + initData } }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) { throw new Error(body.error || r.status); }
        document.getElementById("error").hidden = true;
        return body;
      });
    });
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function pct(a, b) { return b > 0 ? Math.round(100 * a / b) : null; }
  function figure(label, value, share, key) {
    var f = el("div", { "class": "figure", "data-figure": key });
    f.appendChild(el("span", {}, label));
    f.appendChild(el("b", {}, value));
    if (share !== null && share !== undefined) {
      var bar = el("div", { "class": "bar" });
      var fill = el("i");
      fill.style.width = Math.max(0, Math.min(100, share)) + "%";
      bar.appendChild(fill);
      f.appendChild(bar);
    }
    return f;
  }
  // A refusal or a fault is said in a bar over the top of the screen,
  // until the next call succeeds.
  function fail(e) {
    var p = document.getElementById("error");
    p.hidden = false;
    p.textContent = String(e.message || e);
  }
  // Each export as a file: fetched with the init data, then saved.
  function exportButtons() {
    var box = document.getElementById("exports");
    box.textContent = "";
    ["members", "overdue", "records", "visits"].forEach(function (what) {
      var b = el("button", { "type": "button", "data-export": what }, words["export." + what]);
      b.addEventListener("click", function () {
        fetch("api/export?what=" + what, { headers: { Authorization: "tma " + initData } }).then(function (r) {
          if (!r.ok) { throw new Error(r.status); }
          var name = (r.headers.get("Content-Disposition") || "").replace(/^.*filename="?([^";]+)"?.*$/, "$1") || what + ".xlsx";
          return r.blob().then(function (blob) {
            var a = el("a", { href: URL.createObjectURL(blob), download: name });
            document.body.appendChild(a);
            a.click();
            a.remove();
          });
        }).catch(fail);
      });
      box.appendChild(b);
    });
  }
  // The surveys the organizer may read, each opening to its results as
  // the chat words them.
  function surveys() {
    api("api/surveys").then(function (res) {
      var box = document.getElementById("surveys");
      box.textContent = "";
      if (res.surveys.length === 0) { return; }
      box.appendChild(el("h2", {}, words.surveys));
      res.surveys.forEach(function (sv) {
        var d = el("details", { "class": "survey", "data-survey": String(sv.id) });
        d.appendChild(el("summary", {}, sv.title + " · " + words.answered_of + " " + sv.answered + "/" + sv.asked));
        d.appendChild(el("pre", {}, sv.results));
        box.appendChild(d);
      });
    }).catch(fail);
  }
  // A member's card, as the chat shows it to their organizers.
  function openCard(id) {
    api("api/member?id=" + encodeURIComponent(id)).then(function (c) {
      document.getElementById("card-text").textContent = c.text;
      var d = document.getElementById("card");
      d.setAttribute("data-member", String(c.id));
      if (typeof d.showModal === "function") { d.showModal(); } else { d.setAttribute("open", ""); }
    }).catch(fail);
  }
  // Closed here, not by a form: without <dialog> (older phones) a form
  // would reload the page and lose Telegram's init data.
  document.getElementById("card-close").addEventListener("click", function () {
    var d = document.getElementById("card");
    if (typeof d.close === "function") { d.close(); } else { d.removeAttribute("open"); }
  });
  function memberButton(id, label) {
    var b = el("button", { "type": "button", "class": "member", "data-member": String(id) }, label);
    b.addEventListener("click", function () { openCard(id); });
    return b;
  }
  // The coming events of the organizer's branches, each opening to its
  // answers and to those who have not answered, a card each.
  function events() {
    api("api/events").then(function (res) {
      var box = document.getElementById("events");
      box.textContent = "";
      box.appendChild(el("h2", {}, words.events));
      if (res.events.length === 0) {
        box.appendChild(el("p", { "class": "hint" }, words.events_none));
        return;
      }
      res.events.forEach(function (ev) {
        var d = el("details", { "class": "event", "data-event": String(ev.id) });
        d.appendChild(el("summary", {}, ev.when + " · " + ev.title));
        var body = el("div", { "class": "roll" });
        d.appendChild(body);
        d.addEventListener("toggle", function () {
          if (!d.open || body.getAttribute("data-loaded")) { return; }
          api("api/event?id=" + ev.id).then(function (roll) {
            body.setAttribute("data-loaded", "1");
            body.appendChild(el("pre", {}, roll.text));
            if (roll.unanswered) {
              body.appendChild(el("p", { "class": "unanswered" }, roll.unanswered));
              var names = el("div", { "class": "names" });
              roll.names.forEach(function (m) {
                var label = m.name + (m.unreached ? " 📵" : "");
                names.appendChild(m.card ? memberButton(m.id, label) : el("span", { "class": "member" }, label));
              });
              if (roll.more) { names.appendChild(el("span", { "class": "hint" }, roll.more)); }
              body.appendChild(names);
              if (roll.unreached) { body.appendChild(el("p", { "class": "hint" }, roll.unreached)); }
            }
          }).catch(fail);
        });
        box.appendChild(d);
      });
    }).catch(fail);
  }
  api("api/stats").then(function (s) {
    setWords(s.words, s.lang);
    exportButtons();
    events();
    surveys();
    document.getElementById("quarter").textContent = words.quarter + " " + s.quarter;
    var box = document.getElementById("dashboard");
    // The chart is SVG the server wrote from its own figures (escaped
    // there): parsed as SVG, never as HTML.
    var svg = new DOMParser().parseFromString(s.chart, "image/svg+xml").documentElement;
    if (svg && svg.nodeName === "svg") {
      var fig = el("figure", { "class": "history" });
      fig.appendChild(document.importNode(svg, true));
      box.appendChild(fig);
    }
    s.branches.forEach(function (b) {
      var card = el("article", { "class": "branch", "data-branch": b.path });
      card.appendChild(el("h2", {}, b.path));
      var g = el("div", { "class": "figures" });
      var linked = pct(b.linked, b.members);
      g.appendChild(figure(words.members, String(b.members), null, "members"));
      g.appendChild(figure(words.linked, linked === null ? words.none : linked + "%", linked, "linked"));
      var answered = pct(b.answered, b.announced);
      g.appendChild(figure(words.answered, answered === null ? words.none : answered + "%", answered, "answered"));
      g.appendChild(figure(words.checked_in, String(b.checked_in), null, "checked_in"));
      g.appendChild(figure(words.activities, String(b.activities), null, "activities"));
      // Overdue checks fill their bar in the warning colour: an empty bar
      // is a branch with none.
      var overdue = figure(words.overdue, b.overdue + "/" + b.plans, pct(b.overdue, b.plans), "overdue");
      overdue.classList.add("warn");
      g.appendChild(overdue);
      g.appendChild(figure(words.satisfaction, b.percent === null ? words.none : b.percent + "%", b.percent, "satisfaction"));
      g.appendChild(figure(words.visits, b.visits_done + "/" + b.visits_missed, pct(b.visits_done, b.visits_done + b.visits_missed), "visits"));
      card.appendChild(g);
      if (b.children.length > 0) {
        // A bar a branch below: how many of its members are on Telegram,
        // its activities and overdue checks beside.
        var list = el("div", { "class": "children" });
        list.appendChild(el("h3", {}, words.below));
        b.children.forEach(function (c) {
          var share = pct(c.linked, c.members);
          var row = el("div", { "class": "child", "data-child": c.path });
          row.appendChild(el("span", {}, c.path.split("/").pop() + " · " + words.members + " " + c.members + " · " + words.linked + " " + (share === null ? words.none : share + "%") +
            " · " + words.activities + " " + c.activities + " · " + words.overdue + " " + c.overdue));
          var bar = el("div", { "class": "bar" });
          var fill = el("i");
          fill.style.width = (share || 0) + "%";
          bar.appendChild(fill);
          row.appendChild(bar);
          list.appendChild(row);
        });
        card.appendChild(list);
      }
      box.appendChild(card);
    });
  }).catch(fail);
  var timer;
  document.getElementById("q").addEventListener("input", function (ev) {
    clearTimeout(timer);
    timer = setTimeout(function () {
      api("api/members?q=" + encodeURIComponent(ev.target.value)).then(function (res) {
        var ul = document.getElementById("found");
        ul.textContent = "";
        res.members.forEach(function (m) {
          var li = el("li");
          var b = memberButton(m.id, m.name);
          b.appendChild(el("small", {}, m.branch + (m.phone ? " · " + m.phone : "")));
          li.appendChild(b);
          ul.appendChild(li);
        });
      }).catch(fail);
    }, 250);
  });
})();

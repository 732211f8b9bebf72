/* Sorting and filtering for the fact file's index tables and timeline.
 *
 * Each table inside <div class="ff-table"> gets a button in every column heading that
 * sorts by that column, a text box that keeps the rows containing what is typed, and a
 * list for each column named in the wrapper's data-filter attribute ("Year" filters on
 * the years of the first column's <time> elements). Without this script the tables are
 * plain tables, in the order the site was built with. Nothing is fetched; no library.
 */
(function () {
  "use strict";

  function cellText(row, index) {
    var cell = row.cells[index];
    return cell ? cell.textContent.replace(/\s+/g, " ").trim() : "";
  }

  // What a cell sorts by: a <time>'s datetime, a number, or its text.
  function sortKey(row, index) {
    var cell = row.cells[index];
    if (!cell) return "";
    var time = cell.querySelector("time");
    if (time) return time.getAttribute("datetime");
    var text = cellText(row, index);
    if (text === "Not stated" || text === "Not shown" || text === "—") return "";
    return /^\d[\d,]*$/.test(text) ? Number(text.replace(/,/g, "")) : text.toLowerCase();
  }

  function compare(a, b) {
    // Empty keys (an unknown date) sort last, whichever way.
    if (a === "" || b === "") return a === b ? 0 : a === "" ? 1 : -1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b));
  }

  function years(row) {
    var found = [];
    row.querySelectorAll("time").forEach(function (time) {
      var year = (time.getAttribute("datetime") || "").slice(0, 4);
      if (year && found.indexOf(year) < 0) found.push(year);
    });
    return found.length ? found : ["Not stated"];
  }

  function valuesOf(row, filter) {
    if (filter.name === "Year") return years(row);
    var text = cellText(row, filter.index);
    return [text.replace(/\s*\(.*\)\s*$/, "") || "—"];
  }

  // A form control with its label before it, both in one box of the controls.
  function labelled(text, control) {
    var box = document.createElement("span");
    box.className = "ff-control";
    var label = document.createElement("label");
    label.htmlFor = control.id;
    label.textContent = text;
    box.appendChild(label);
    box.appendChild(control);
    return box;
  }

  function enhance(wrapper, number) {
    var table = wrapper.querySelector("table");
    if (!table || !table.tBodies.length) return;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var headings = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var names = headings.map(function (th) {
      return th.textContent.trim();
    });

    var controls = document.createElement("div");
    controls.className = "ff-controls";
    var search = document.createElement("input");
    search.type = "search";
    search.id = "ff-filter-" + number;
    controls.appendChild(labelled("Show rows containing", search));

    var filters = (wrapper.getAttribute("data-filter") || "")
      .split(",")
      .map(function (name) {
        return name.trim();
      })
      .filter(function (name) {
        return name === "Year" || names.indexOf(name) >= 0;
      })
      .map(function (name) {
        var filter = { name: name, index: names.indexOf(name), select: document.createElement("select") };
        var seen = {};
        rows.forEach(function (row) {
          valuesOf(row, filter).forEach(function (value) {
            seen[value] = true;
          });
        });
        filter.select.id = "ff-" + number + "-" + name.toLowerCase().replace(/\W+/g, "-");
        filter.select.appendChild(new Option("All", ""));
        Object.keys(seen)
          .sort(function (a, b) {
            return name === "Year" ? compare(a === "Not stated" ? "" : a, b === "Not stated" ? "" : b) : a.localeCompare(b);
          })
          .forEach(function (value) {
            filter.select.appendChild(new Option(value, value));
          });
        controls.appendChild(labelled(name, filter.select));
        return filter;
      });

    var count = document.createElement("p");
    count.className = "ff-count";
    count.setAttribute("aria-live", "polite");

    function apply() {
      var words = search.value.toLowerCase().trim();
      var shown = 0;
      rows.forEach(function (row) {
        var visible =
          (!words || row.textContent.toLowerCase().indexOf(words) >= 0) &&
          filters.every(function (filter) {
            var chosen = filter.select.value;
            return !chosen || valuesOf(row, filter).indexOf(chosen) >= 0;
          });
        row.hidden = !visible;
        if (visible) shown += 1;
      });
      count.textContent = shown === rows.length ? rows.length + " rows" : shown + " of " + rows.length + " rows shown";
    }

    headings.forEach(function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "ff-sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        headings.forEach(function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var sorted = rows.slice().sort(function (a, b) {
          var ka = sortKey(a, index);
          var kb = sortKey(b, index);
          if (ka === "" || kb === "") return compare(ka, kb);
          return ascending ? compare(ka, kb) : compare(kb, ka);
        });
        sorted.forEach(function (row) {
          body.appendChild(row);
        });
      });
    });

    search.addEventListener("input", apply);
    filters.forEach(function (filter) {
      filter.select.addEventListener("change", apply);
    });
    wrapper.insertBefore(controls, wrapper.firstChild);
    wrapper.insertBefore(count, controls.nextSibling);
    apply();
  }

  // Search marks the words searched for on the page it leads to, and in its results,
  // wherever they occur, even inside other words ("ho" in "who"). A mark that begins
  // inside a word is taken away again; whole words and the starts of words stay marked.
  function unmarkInsideWords(mark) {
    var before = mark.previousSibling;
    var last = before && before.textContent ? before.textContent.slice(-1) : "";
    if (/[\p{L}\p{N}]/u.test(last)) {
      var parent = mark.parentNode;
      parent.replaceChild(document.createTextNode(mark.textContent), mark);
      parent.normalize();
    }
  }

  function watchHighlights() {
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) {
          if (node.nodeType !== 1) return;
          if (node.matches("mark[data-md-highlight]")) unmarkInsideWords(node);
          node.querySelectorAll("mark[data-md-highlight]").forEach(unmarkInsideWords);
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  function start() {
    document.querySelectorAll(".ff-table").forEach(enhance);
    watchHighlights();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

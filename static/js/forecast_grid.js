// The forecast grid: live totals while typing, and moving between cells with the keyboard.
// Without JavaScript the grid still works: the server computes every total on save.
// Amounts are typed in thousands of kronor the Swedish way: "1 234,5", "-500", "−500".
(function () {
  "use strict";

  var table = document.getElementById("forecast-grid");
  if (!table) {
    return;
  }
  var lang = document.documentElement.lang === "sv" ? "sv-SE" : "en-GB";
  var unitLabel = table.dataset.unitLabel || "tkr";
  var format = new Intl.NumberFormat(lang, { maximumFractionDigits: 0, minimumFractionDigits: 0 });

  // Typed text -> number of tkr, or null when it is not a number the server would accept.
  function parse(text) {
    var cleaned = String(text)
      .trim()
      .replace(/\u2212|\u2013/g, "-")
      .replace(/(\d)[ \u00a0\u202f](?=\d{3}(\D|$))/g, "$1");
    if (!/^[+-]?\d+([.,]\d+)?$/.test(cleaned)) {
      return null;
    }
    return parseFloat(cleaned.replace(",", "."));
  }

  function show(cell, tkr) {
    if (!cell) {
      return;
    }
    if (tkr === null) {
      cell.textContent = "–";
      cell.classList.remove("text-danger");
      return;
    }
    var rounded = Math.round(tkr);
    cell.textContent = format.format(rounded === 0 ? 0 : rounded) + "\u00a0" + unitLabel;
    cell.classList.toggle("text-danger", rounded < 0);
  }

  // Budget is in SEK in data-budget; the grid shows tkr.
  function budgetOf(row) {
    return parseFloat(row.dataset.budget || "0") / 1000;
  }

  function recalculate() {
    var areaForecast = 0;
    var areaComplete = true;
    var areaBudget = 0;
    table.querySelectorAll("tbody[data-unit]").forEach(function (body) {
      var forecast = 0;
      var budget = 0;
      var complete = true;
      body.querySelectorAll("tr.grid-row").forEach(function (row) {
        var input = row.querySelector("input.grid-amount");
        var value = parse(input.value);
        var rowBudget = budgetOf(row);
        budget += rowBudget;
        if (value === null) {
          complete = false;
          show(row.querySelector('[data-role="deviation"]'), null);
        } else {
          forecast += value;
          show(row.querySelector('[data-role="deviation"]'), rowBudget - value);
        }
      });
      var total = body.querySelector("tr.unit-total");
      show(total.querySelector('[data-role="forecast-total"]'), complete ? forecast : null);
      show(total.querySelector('[data-role="deviation-total"]'), complete ? budget - forecast : null);
      areaForecast += forecast;
      areaBudget += budget;
      areaComplete = areaComplete && complete;
    });
    var foot = document.getElementById("area-total");
    show(foot.querySelector('[data-role="forecast-total"]'), areaComplete ? areaForecast : null);
    show(
      foot.querySelector('[data-role="deviation-total"]'),
      areaComplete ? areaBudget - areaForecast : null
    );
  }

  // Keyboard: arrow up/down and Enter move within a column; arrow left/right move between the
  // amount and the comment when the caret is at the edge of the text.
  var columns = ["grid-amount", "grid-comment"];

  function cellsOf(className) {
    return Array.prototype.slice.call(table.querySelectorAll("input." + className));
  }

  function move(input, rowStep, columnStep) {
    var column = columns.findIndex(function (name) {
      return input.classList.contains(name);
    });
    var list = cellsOf(columns[column]);
    var index = list.indexOf(input);
    var target = null;
    if (columnStep) {
      var other = columns[column + columnStep];
      target = other ? cellsOf(other)[index] : null;
    } else {
      target = list[index + rowStep] || null;
    }
    if (target) {
      target.focus();
      target.select();
    }
  }

  table.addEventListener("input", function (event) {
    if (event.target.classList.contains("grid-amount")) {
      recalculate();
    }
  });

  table.addEventListener("keydown", function (event) {
    var input = event.target;
    if (input.tagName !== "INPUT") {
      return;
    }
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length;
    if (event.key === "ArrowDown" || (event.key === "Enter" && !event.shiftKey)) {
      event.preventDefault(); // Enter moves down instead of submitting the form
      move(input, 1, 0);
    } else if (event.key === "ArrowUp" || (event.key === "Enter" && event.shiftKey)) {
      event.preventDefault();
      move(input, -1, 0);
    } else if (event.key === "ArrowRight" && atEnd && input.classList.contains("grid-amount")) {
      event.preventDefault();
      move(input, 0, 1);
    } else if (event.key === "ArrowLeft" && atStart && input.classList.contains("grid-comment")) {
      event.preventDefault();
      move(input, 0, -1);
    }
  });

  recalculate();
})();

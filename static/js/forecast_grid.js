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

  // Amounts are counted exactly, as the server does with Decimal: in öre (hundredths of a
  // krona, five decimals of a tkr) as BigInt, so that sums never drift and halves round the
  // same way as the server's (half away from zero).
  var ORE_PER_TKR = 100000n;
  var MAX_TKR_PLACES = 5;
  var MAX_INTEGER_DIGITS = 14;

  // "-1234,5" or "1234.50" -> öre, or null when it is not a number the server would accept.
  function toOre(text, places) {
    var match = /^([+-]?)(\d+)(?:[.,](\d+))?$/.exec(text);
    if (!match) {
      return null;
    }
    var decimals = match[3] || "";
    if (decimals.length > places || match[2].replace(/^0+/, "").length > MAX_INTEGER_DIGITS) {
      return null;
    }
    var ore = BigInt(match[2] + decimals.padEnd(places, "0"));
    return match[1] === "-" ? -ore : ore;
  }

  // Typed text (tkr) -> öre, or null when the server would refuse it.
  function parse(text) {
    var cleaned = String(text)
      .trim()
      .replace(/\u2212|\u2013/g, "-")
      .replace(/(\d)[ \u00a0\u202f](?=\d{3}(\D|$))/g, "$1");
    return toOre(cleaned, MAX_TKR_PLACES);
  }

  // Whole tkr, half away from zero (the server's ROUND_HALF_UP).
  function roundTkr(ore) {
    var size = ore < 0n ? -ore : ore;
    var whole = size / ORE_PER_TKR;
    if ((size % ORE_PER_TKR) * 2n >= ORE_PER_TKR) {
      whole += 1n;
    }
    return ore < 0n ? -whole : whole;
  }

  function show(cell, ore) {
    if (!cell) {
      return;
    }
    if (ore === null) {
      cell.textContent = "–";
      cell.classList.remove("text-danger");
      return;
    }
    var rounded = roundTkr(ore);
    // A true minus sign (U+2212) in every language, as the server's formatting writes it.
    var sign = rounded < 0n ? "\u2212" : "";
    cell.textContent = sign + format.format(rounded < 0n ? -rounded : rounded) + "\u00a0" + unitLabel;
    cell.classList.toggle("text-danger", rounded < 0n);
  }

  // Budget is in SEK in data-budget ("1234567.00"); a krona is 100 öre.
  function budgetOf(row) {
    return toOre(row.dataset.budget || "0", 2) || 0n;
  }

  // The server's rule (forecasts.calculations.sum_figures): a total adds the amounts that are
  // there; an empty or refused cell adds nothing, and a total with no amount at all is "–".
  function recalculate() {
    var areaForecast = null;
    var areaBudget = 0n;
    table.querySelectorAll("tbody[data-unit]").forEach(function (body) {
      var forecast = null;
      var budget = 0n;
      body.querySelectorAll("tr.grid-row").forEach(function (row) {
        var value = parse(row.querySelector("input.grid-amount").value);
        var rowBudget = budgetOf(row);
        budget += rowBudget;
        if (value !== null) {
          forecast = (forecast === null ? 0n : forecast) + value;
        }
        show(row.querySelector('[data-role="deviation"]'), value === null ? null : rowBudget - value);
      });
      var total = body.querySelector("tr.unit-total");
      show(total.querySelector('[data-role="forecast-total"]'), forecast);
      show(
        total.querySelector('[data-role="deviation-total"]'),
        forecast === null ? null : budget - forecast
      );
      if (forecast !== null) {
        areaForecast = (areaForecast === null ? 0n : areaForecast) + forecast;
      }
      areaBudget += budget;
    });
    var foot = document.getElementById("area-total");
    show(foot.querySelector('[data-role="forecast-total"]'), areaForecast);
    show(
      foot.querySelector('[data-role="deviation-total"]'),
      areaForecast === null ? null : areaBudget - areaForecast
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

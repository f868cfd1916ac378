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

  // The server's reading of a typed amount (regionbudget.core.formatting.parse_amount, then
  // forecasts.forms.parse_tkr), step by step so that a refusal gives the server's reason:
  // {ore: BigInt} or {error: "empty" | "notNumber" | "tooLarge" | "places" | "tkrPlaces"}.
  var GROUP_SPACES = /(?<=\d)[ \u00a0\u202f](?=\d{3}(?:\D|$))/g;
  var MAX_DECIMAL_PLACES = 6;

  function check(text) {
    var cleaned = String(text).trim().replace(/\u2212|\u2013/g, "-");
    if (!cleaned) {
      return { error: "empty" };
    }
    cleaned = cleaned.replace(GROUP_SPACES, "");
    var match = /^([+-]?)(\d+)(?:[.,](\d+))?$/.exec(cleaned);
    if (!match) {
      return { error: "notNumber" };
    }
    var decimals = match[3] || "";
    if (match[2].replace(/^0+/, "").length > MAX_INTEGER_DIGITS) {
      return { error: "tooLarge" };
    }
    if (decimals.length > MAX_DECIMAL_PLACES) {
      return { error: "places" };
    }
    if (decimals.length > MAX_TKR_PLACES) {
      return { error: "tkrPlaces" };
    }
    return { ore: toOre(cleaned.replace(/^\+/, ""), MAX_TKR_PLACES) };
  }

  // Typed text (tkr) -> öre, or null when the server would refuse it.
  function parse(text) {
    var result = check(text);
    return result.error ? null : result.ore;
  }

  // The reason, in the page's language, that the server gives for a refused amount.
  function reason(result, text) {
    var messages = {
      empty: table.dataset.msgEmpty,
      notNumber: table.dataset.msgNotNumber,
      tooLarge: table.dataset.msgTooLarge,
      places: table.dataset.msgPlaces,
      tkrPlaces: table.dataset.msgTkrPlaces,
    };
    return (messages[result.error] || "")
      .replace("%(value)s", String(text).trim().slice(0, 40))
      .replace("%(places)s", String(MAX_DECIMAL_PLACES));
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

  // ``plain``: no red for a negative figure (a change, unlike a deviation, is no deficit).
  function show(cell, ore, plain) {
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
    cell.classList.toggle("text-danger", !plain && rounded < 0n);
  }

  // null + x: a sum of optional amounts is null until one is there (the server's _optional_sum).
  function addOptional(sum, ore) {
    if (ore === null) {
      return sum;
    }
    return (sum === null ? 0n : sum) + ore;
  }

  // Budget is in SEK in data-budget ("1234567.00"); a krona is 100 öre.
  function budgetOf(row) {
    return toOre(row.dataset.budget || "0", 2) || 0n;
  }

  // The server's rule (forecasts.calculations.comment_required): a line needs a comment when
  // its deviation's size exceeds the round's threshold (SEK, in data-threshold); a line with no
  // amount needs none. The hint shows while such a line's comment is empty.
  var threshold = toOre(table.dataset.threshold || "0", 2) || 0n;

  function commentRequired(deviationOre) {
    if (deviationOre === null) {
      return false;
    }
    return (deviationOre < 0n ? -deviationOre : deviationOre) > threshold;
  }

  function markCommentNeed(row, deviationOre) {
    var comment = row.querySelector("input.grid-comment");
    var hint = comment ? document.getElementById("need-" + comment.name) : null;
    if (!hint) {
      return;
    }
    hint.hidden = !(commentRequired(deviationOre) && comment.value.trim() === "");
  }

  // The server's rule (forecasts.calculations.sum_figures): a total adds the amounts that are
  // there; an empty or refused cell adds nothing, and a total with no amount at all is "–".
  // The change since the previous forecast (forecasts.calculations.GridFigures.change): a row's
  // is forecast − previous when it has both; a total's is the sum of its rows' changes.
  function recalculate() {
    var areaForecast = null;
    var areaBudget = 0n;
    var areaChange = null;
    table.querySelectorAll("tbody[data-unit]").forEach(function (body) {
      var forecast = null;
      var budget = 0n;
      var change = null;
      body.querySelectorAll("tr.grid-row").forEach(function (row) {
        var value = parse(row.querySelector("input.grid-amount").value);
        var rowBudget = budgetOf(row);
        var previous = row.dataset.previous === undefined ? null : toOre(row.dataset.previous, 2);
        var rowChange = value === null || previous === null ? null : value - previous;
        budget += rowBudget;
        forecast = addOptional(forecast, value);
        change = addOptional(change, rowChange);
        show(row.querySelector('[data-role="deviation"]'), value === null ? null : rowBudget - value);
        show(row.querySelector('[data-role="change"]'), rowChange, true);
        markCommentNeed(row, value === null ? null : rowBudget - value);
      });
      var total = body.querySelector("tr.unit-total");
      show(total.querySelector('[data-role="forecast-total"]'), forecast);
      show(
        total.querySelector('[data-role="deviation-total"]'),
        forecast === null ? null : budget - forecast
      );
      show(total.querySelector('[data-role="change-total"]'), change, true);
      areaForecast = addOptional(areaForecast, forecast);
      areaChange = addOptional(areaChange, change);
      areaBudget += budget;
    });
    var foot = document.getElementById("area-total");
    show(foot.querySelector('[data-role="forecast-total"]'), areaForecast);
    show(
      foot.querySelector('[data-role="deviation-total"]'),
      areaForecast === null ? null : areaBudget - areaForecast
    );
    show(foot.querySelector('[data-role="change-total"]'), areaChange, true);
  }

  // Keyboard: arrow up/down and Enter move within a column; arrow left/right move between the
  // amount and the comment when the caret is at the edge of the text.
  var columns = ["grid-amount", "grid-comment"];

  // The inputs of a column that are shown: a folded unit's are skipped.
  function cellsOf(className) {
    return Array.prototype.slice
      .call(table.querySelectorAll("input." + className))
      .filter(function (input) {
        return !input.closest("tr").hidden;
      });
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

  // --- A cell's refusal, as the server would word it, under the cell --------------------------

  function describedBy(input, id, on) {
    var ids = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (x) {
      return x && x !== id;
    });
    if (on) {
      ids.unshift(id);
    }
    if (ids.length) {
      input.setAttribute("aria-describedby", ids.join(" "));
    } else {
      input.removeAttribute("aria-describedby");
    }
  }

  function mark(input, message) {
    var id = "err-" + input.name;
    var feedback = document.getElementById(id);
    if (message) {
      if (!feedback) {
        feedback = document.createElement("div");
        feedback.id = id;
        feedback.className = "invalid-feedback d-block";
        input.insertAdjacentElement("afterend", feedback);
      }
      feedback.textContent = message;
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
    } else {
      if (feedback) {
        feedback.remove();
      }
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
    }
    describedBy(input, id, Boolean(message));
  }

  // Returns whether the amount is accepted.
  function validate(input) {
    var result = check(input.value);
    mark(input, result.error ? reason(result, input.value) : "");
    return !result.error;
  }

  // --- Pasting a block from Excel or LibreOffice -----------------------------------------------
  // A spreadsheet puts a copied block on the clipboard as text: cells separated by tabs, rows by
  // newlines, and a cell holding a tab, newline or quote inside double quotes. The block fills
  // the grid from the focused cell: columns to the right (amount, then comment), rows below
  // (on through the next units). Nothing is saved: the inputs change, as if typed.

  function splitBlock(text) {
    var rows = [];
    var row = [];
    var cellText = "";
    var quoted = false;
    var i = 0;
    text = text.replace(/\r\n?/g, "\n");
    while (i < text.length) {
      var ch = text[i];
      if (quoted) {
        if (ch === '"' && text[i + 1] === '"') {
          cellText += '"';
          i += 1;
        } else if (ch === '"') {
          quoted = false;
        } else {
          cellText += ch;
        }
      } else if (ch === '"' && cellText === "") {
        quoted = true;
      } else if (ch === "\t") {
        row.push(cellText);
        cellText = "";
      } else if (ch === "\n") {
        row.push(cellText);
        rows.push(row);
        row = [];
        cellText = "";
      } else {
        cellText += ch;
      }
      i += 1;
    }
    if (cellText !== "" || row.length) {
      row.push(cellText);
      rows.push(row);
    }
    return rows; // a spreadsheet ends the block with a newline: no empty last row
  }

  // The numbers of one pasted block, written the Swedish way the server reads ("41 500,5").
  // English spreadsheets group thousands with commas ("41,500.5"); a block is read as English
  // when one of its numbers shows it (a comma group before a decimal point, or two comma
  // groups), so that "41,500" in such a block is 41 500 and not 41,5. Likewise a block with
  // points between thousands ("1.234,5", "1.234.567") drops the points.
  function readBlockNumbers(values) {
    var english = values.some(function (v) {
      return /\d,\d{3}\.\d/.test(v) || /\d,\d{3},\d{3}(?!\d)/.test(v);
    });
    var pointGroups = values.some(function (v) {
      return /\d\.\d{3},\d/.test(v) || /\d\.\d{3}\.\d{3}(?!\d)/.test(v);
    });
    return values.map(function (value) {
      var text = value.trim();
      if (english) {
        text = text.replace(/(?<=\d),(?=\d{3}(?:\D|$))/g, "").replace(".", ",");
      } else if (pointGroups) {
        text = text.replace(/(?<=\d)\.(?=\d{3}(?:\D|$))/g, "");
      }
      var result = check(text);
      return result.error ? value.trim() : swedish(text);
    });
  }

  // An accepted amount as the grid writes it: no-break spaces between thousands, a decimal comma.
  function swedish(text) {
    var cleaned = text.trim().replace(/\u2212|\u2013/g, "-").replace(GROUP_SPACES, "");
    var match = /^([+-]?)(\d+)(?:[.,](\d+))?$/.exec(cleaned);
    var whole = match[2].replace(/^0+(?=\d)/, "").replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
    return (match[1] === "-" ? "\u2212" : "") + whole + (match[3] ? "," + match[3] : "");
  }

  function say(message) {
    var status = document.getElementById("grid-status");
    if (status) {
      status.textContent = message;
    }
  }

  function paste(input, text) {
    var block = splitBlock(text);
    var column = columns.findIndex(function (name) {
      return input.classList.contains(name);
    });
    var row = cellsOf(columns[column]).indexOf(input);
    var grids = columns.map(cellsOf);
    var pasted = 0;
    var bad = 0;
    var leftOut = 0;
    // The block's column that lands on the amounts (none when pasting into a comment): its
    // numbers are read together, since they share one number format.
    var amountColumn = 0 - column;
    var amounts = readBlockNumbers(
      block.map(function (cellsInRow) {
        return cellsInRow[amountColumn] || "";
      })
    );
    block.forEach(function (cellsInRow, i) {
      cellsInRow.forEach(function (value, j) {
        var target = (grids[column + j] || [])[row + i];
        if (!target) {
          leftOut += 1;
          return;
        }
        pasted += 1;
        if (target.classList.contains("grid-amount")) {
          target.value = amounts[i];
          if (!validate(target)) {
            bad += 1;
          }
        } else {
          target.value = value;
        }
      });
    });
    recalculate();
    changed();
    var message = (table.dataset.msgPasted || "")
      .replace("%(values)s", String(pasted))
      .replace("%(bad)s", String(bad));
    if (leftOut) {
      message += " " + (table.dataset.msgLeftOut || "").replace("%(values)s", String(leftOut));
    }
    say(message);
  }

  table.addEventListener("paste", function (event) {
    var input = event.target;
    if (input.tagName !== "INPUT" || !event.clipboardData) {
      return;
    }
    var text = event.clipboardData.getData("text/plain");
    var block = /[\t\n\r]/.test(text.replace(/[\r\n]+$/, ""));
    var whole =
      input.value === "" ||
      (input.selectionStart === 0 && input.selectionEnd === input.value.length);
    // One value into part of a cell's text is an ordinary paste.
    if (!block && !(whole && input.classList.contains("grid-amount"))) {
      return;
    }
    event.preventDefault();
    paste(input, text);
  });

  // Set when an input changes; the step that saves or warns reads it.
  function changed() {
    table.dataset.changed = "true";
  }

  table.addEventListener("input", function (event) {
    var input = event.target;
    if (input.classList.contains("grid-amount")) {
      recalculate();
      if (input.classList.contains("is-invalid") && !check(input.value).error) {
        mark(input, "");
      }
    }
    if (input.classList.contains("grid-comment")) {
      recalculate(); // the comment-needed hint follows the comment too
    }
    changed();
  });

  table.addEventListener("change", function (event) {
    if (event.target.classList.contains("grid-amount")) {
      validate(event.target);
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

  // --- Folding a unit: its lines hide, its header and total stay -----------------------------
  // The buttons are hidden in the page as sent: without the script they could do nothing.

  table.querySelectorAll("button.unit-toggle").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      var label = button.querySelector("[data-fold]");
      button.setAttribute("aria-expanded", open ? "true" : "false");
      label.textContent = open ? label.dataset.fold : label.dataset.unfold;
      button
        .closest("tbody")
        .querySelectorAll("tr.grid-row")
        .forEach(function (row) {
          row.hidden = !open;
        });
    });
  });

  // --- Saving: Ctrl+S, and a warning before leaving unsaved changes -------------------------

  var form = table.closest("form");
  var saveButton = form ? form.querySelector('button[name="action"][value="save"]') : null;
  var leaving = false; // set when the form itself is sent: that is no loss

  if (form) {
    form.addEventListener("submit", function () {
      leaving = true;
    });
  }

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "s") {
      event.preventDefault(); // the browser's "save page as" is never what is meant here
      if (saveButton && !leaving) {
        form.requestSubmit(saveButton);
      }
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (table.dataset.changed === "true" && !leaving) {
      event.preventDefault();
      event.returnValue = ""; // older browsers need a value to ask
    }
  });

  recalculate();
})();

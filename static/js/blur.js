/* The blur page: drag across the photo to mark a rectangle (a face) to blur (progressive
   enhancement: without this script the numbered fields below the photo are filled in by hand).

   The form's fields stay the one record of the rectangles: a drawn rectangle fills the next
   empty row (in percent of the photo, two decimals), typing in a row redraws it, and removing
   one from the list empties its row. The server blurs whatever the fields say. */
(function () {
  "use strict";

  var stage = document.querySelector("[data-blur-stage]");
  var form = document.querySelector("[data-blur-form]");
  var listBox = document.querySelector("[data-blur-list]");
  if (!stage || !form || !listBox || !window.addEventListener) {
    return;
  }
  var image = stage.querySelector("img");
  var list = listBox.querySelector("ol");
  var empty = listBox.querySelector("[data-blur-empty]");
  var MAX_ROWS = 30;
  var MIN_SIZE = 1; // percent: a click without a drag marks nothing
  var start = null;
  var drawing = null;

  document.querySelectorAll(".blur-help-drag").forEach(function (help) {
    help.hidden = false;
  });
  listBox.hidden = false;
  stage.classList.add("blur-drawing");

  function rows() {
    return Array.prototype.slice.call(form.querySelectorAll("[data-blur-row]"));
  }

  function inputs(row) {
    return Array.prototype.slice.call(row.querySelectorAll("input"));
  }

  function number(text) {
    var value = parseFloat(String(text).replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function regionOf(row) {
    var values = inputs(row).map(function (input) {
      return number(input.value);
    });
    if (values.length !== 4 || values.some(function (v) { return v === null; })) {
      return null;
    }
    return { x: values[0], y: values[1], w: values[2], h: values[3] };
  }

  function round(value) {
    return Math.round(Math.max(0, Math.min(100, value)) * 100) / 100;
  }

  function label(template, n) {
    return (template || "{n}").replace("{n}", String(n));
  }

  // A copy of the last row, numbered next: more rectangles than the page offered.
  function addRow() {
    var all = rows();
    if (all.length >= MAX_ROWS) {
      return null;
    }
    var last = all[all.length - 1];
    var index = all.length;
    var copy = last.cloneNode(true);
    copy.querySelectorAll("[name], [id], [for]").forEach(function (node) {
      ["name", "id", "for"].forEach(function (attribute) {
        var value = node.getAttribute(attribute);
        if (value) {
          node.setAttribute(attribute, value.replace(/regions-\d+-/, "regions-" + index + "-"));
        }
      });
    });
    copy.querySelectorAll("input").forEach(function (input) {
      input.value = "";
    });
    copy.querySelectorAll(".error").forEach(function (node) {
      node.remove();
    });
    copy.classList.remove("field-error");
    var legend = copy.querySelector("legend");
    if (legend) {
      legend.textContent = label(list.getAttribute("data-item-label"), index + 1);
    }
    last.parentNode.insertBefore(copy, last.nextSibling);
    return copy;
  }

  function fill(region) {
    var target = rows().filter(function (row) {
      return inputs(row).every(function (input) { return input.value.trim() === ""; });
    })[0] || addRow();
    if (!target) {
      return;
    }
    var values = [region.x, region.y, region.w, region.h];
    inputs(target).forEach(function (input, i) {
      input.value = String(round(values[i]));
    });
  }

  function box(region, text) {
    var node = document.createElement("div");
    node.className = "blur-box";
    node.style.left = region.x + "%";
    node.style.top = region.y + "%";
    node.style.width = region.w + "%";
    node.style.height = region.h + "%";
    if (text) {
      var tag = document.createElement("span");
      tag.textContent = text;
      node.appendChild(tag);
    }
    stage.appendChild(node);
    return node;
  }

  function render() {
    stage.querySelectorAll(".blur-box").forEach(function (node) {
      node.remove();
    });
    list.textContent = "";
    var count = 0;
    rows().forEach(function (row, i) {
      var region = regionOf(row);
      if (!region) {
        return;
      }
      count += 1;
      var n = i + 1;
      box(region, String(n));
      var item = document.createElement("li");
      item.appendChild(document.createTextNode(
        label(list.getAttribute("data-item-label"), n) + ": " +
        round(region.x) + ", " + round(region.y) + " · " +
        round(region.w) + " × " + round(region.h) + " %"
      ));
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "button-secondary button-small";
      remove.textContent = label(list.getAttribute("data-remove-label"), n);
      remove.addEventListener("click", function () {
        inputs(row).forEach(function (input) {
          input.value = "";
        });
        render();
      });
      item.appendChild(remove);
      list.appendChild(item);
    });
    if (empty) {
      empty.hidden = count > 0;
    }
  }

  function point(event) {
    var rect = image.getBoundingClientRect();
    return {
      x: ((event.clientX - rect.left) / rect.width) * 100,
      y: ((event.clientY - rect.top) / rect.height) * 100
    };
  }

  function regionBetween(a, b) {
    var left = Math.max(0, Math.min(a.x, b.x));
    var top = Math.max(0, Math.min(a.y, b.y));
    var right = Math.min(100, Math.max(a.x, b.x));
    var bottom = Math.min(100, Math.max(a.y, b.y));
    return { x: left, y: top, w: right - left, h: bottom - top };
  }

  stage.addEventListener("pointerdown", function (event) {
    if (event.button !== undefined && event.button !== 0) {
      return;
    }
    event.preventDefault();
    start = point(event);
    if (stage.setPointerCapture && event.pointerId !== undefined) {
      stage.setPointerCapture(event.pointerId);
    }
    drawing = box({ x: start.x, y: start.y, w: 0, h: 0 }, "");
  });

  stage.addEventListener("pointermove", function (event) {
    if (!start || !drawing) {
      return;
    }
    var region = regionBetween(start, point(event));
    drawing.style.left = region.x + "%";
    drawing.style.top = region.y + "%";
    drawing.style.width = region.w + "%";
    drawing.style.height = region.h + "%";
  });

  function finish(event) {
    if (!start) {
      return;
    }
    var region = regionBetween(start, point(event));
    start = null;
    if (drawing) {
      drawing.remove();
      drawing = null;
    }
    if (region.w >= MIN_SIZE && region.h >= MIN_SIZE) {
      fill(region);
    }
    render();
  }

  stage.addEventListener("pointerup", finish);
  stage.addEventListener("pointercancel", function () {
    start = null;
    if (drawing) {
      drawing.remove();
      drawing = null;
    }
  });
  image.addEventListener("dragstart", function (event) {
    event.preventDefault();
  });
  form.addEventListener("input", render);
  render();
})();

// Interactive mixup: blend image A and image B on a <canvas> with weight lam and show the
// mixed label. Same formula and rounding as dlnotes.augment.blend:
//   pixel = floor(lam * a + (1 - lam) * b + 0.5),   label = lam * [A] + (1 - lam) * [B].
// Markup (docs/*/data/augmentation.md):
//   <div class="mixup-slider" data-a="cat" data-b="cup" data-label="label" markdown>
//   two figures (each drawn as a light and a dark <img>, pixel-identical photos) </div>
// No network, no framework. Safe to load twice.
(function () {
  if (window.__dlnotesMixupSlider) return;
  window.__dlnotesMixupSlider = true;

  function blendPixels(a, b, lam, out) {
    for (var i = 0; i < a.length; i += 4) {
      for (var c = 0; c < 3; c++) {
        out[i + c] = Math.floor(lam * a[i + c] + (1.0 - lam) * b[i + c] + 0.5);
      }
      out[i + 3] = 255;
    }
  }

  function loadImage(src) {
    return new Promise(function (resolve, reject) {
      var img = new Image();
      img.onload = function () { resolve(img); };
      img.onerror = function () { reject(new Error("mixup slider: cannot load " + src)); };
      img.src = src;
    });
  }

  function pixels(img) {
    var c = document.createElement("canvas");
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    var ctx = c.getContext("2d");
    ctx.drawImage(img, 0, 0);
    return ctx.getImageData(0, 0, c.width, c.height).data;
  }

  function setup(box) {
    if (box.dataset.ready) return;
    // Over file:// (the offline bundle) every image taints the canvas: getImageData throws a
    // SecurityError. Keep the static figures there.
    if (window.location.protocol === "file:") return;
    box.dataset.ready = "1";
    // One <img> per figure is enough: the light and dark variants hold the same photo.
    var imgs = Array.prototype.filter.call(box.querySelectorAll("img"), function (im) {
      return /#only-light$/.test(im.getAttribute("src"));
    });
    if (imgs.length < 2) return;
    var nameA = box.dataset.a || "A", nameB = box.dataset.b || "B", word = box.dataset.label || "label";
    var canvas = document.createElement("canvas");
    canvas.className = "mixup-canvas";
    canvas.width = imgs[0].getAttribute("width");
    canvas.height = imgs[0].getAttribute("height");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", imgs[0].alt + " / " + imgs[1].alt);
    canvas.style.cssText = "display:block;margin:0 auto;max-width:100%;height:auto;image-rendering:auto";
    var input = document.createElement("input");
    input.type = "range";
    input.min = "0";
    input.max = "100";
    input.step = "1";
    input.value = box.dataset.start || "70";
    input.className = "mixup-range";
    input.setAttribute("aria-label", "λ");
    input.style.cssText = "display:block;width:100%;max-width:" + canvas.width + "px;margin:0.6em auto";
    var out = document.createElement("output");
    out.className = "mixup-readout";
    out.style.cssText = "display:block;text-align:center;font-variant-numeric:tabular-nums";
    // Hide the static figures (they stay in the page for readers without JavaScript).
    Array.prototype.forEach.call(box.children, function (el) { el.hidden = true; });
    box.appendChild(canvas);
    box.appendChild(input);
    box.appendChild(out);

    Promise.all([loadImage(imgs[0].getAttribute("src")), loadImage(imgs[1].getAttribute("src"))])
      .then(function (loaded) {
        var a = pixels(loaded[0]), b = pixels(loaded[1]);
        if (a.length !== b.length) throw new Error("mixup slider: the two images differ in size");
        var ctx = canvas.getContext("2d");
        var frame = ctx.createImageData(canvas.width, canvas.height);
        function draw() {
          var lam = Number(input.value) / 100;
          blendPixels(a, b, lam, frame.data);
          ctx.putImageData(frame, 0, 0);
          box.dataset.lambda = lam.toFixed(2);
          out.textContent = "λ = " + lam.toFixed(2) + " · " + word + ": " +
            nameA + " " + lam.toFixed(2) + ", " + nameB + " " + (1 - lam).toFixed(2);
        }
        input.addEventListener("input", draw);
        draw();
        box.dataset.drawn = "1";
      })
      .catch(function (err) { console.error(err.message); });
  }

  function init() {
    document.querySelectorAll(".mixup-slider").forEach(setup);
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

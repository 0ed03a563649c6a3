/* Receptive-field calculator: plain JavaScript, no framework, no network.
 * A line-by-line port of dlnotes/receptive_field.py (parse, exact propagation,
 * support) and of dlnotes/cnn_cost.py count (parameters and multiply-adds, shown when
 * a layer sets its channels with cN); tests/test_receptive_field.py checks that both
 * give the same numbers (the costs under node).
 * Mounts on every <div class="rf-calc" data-lang="en|zh"> of the page.
 */
(function () {
  "use strict";

  var MAX_SAFE = Number.MAX_SAFE_INTEGER;
  var MAX_PERIOD = 4096;
  var MAX_LAYERS = 2000;
  var MAX_INPUT = 100000;     // the widget's input channels and input size (dlnotes has no upper bound)
  var LIMITS = { kernel: 1000, stride: 1000, dilation: 1000, padding: 100000, repeat: 1000, channels: 100000, groups: 100000 };

  // ---- the compact text form (same grammar and messages as dlnotes) --------
  var TOKEN = /([ \t\r,\uff0c\u3000]+)|(#[^\n]*)|([;\n\uff1b])|([(\uff08])|([)\uff09])|([:\uff1a])|([A-Za-z0-9_.\-]+)|([\s\S])/g;
  var TOKEN_KINDS = ["space", "comment", "sep", "open", "close", "colon", "word", "bad"];
  var HEAD = /^(conv|pool|maxpool|avgpool|tconv|deconv|relu|bn|act|id|sc)([0-9]*)$/;
  var OPTION = /^(s|p|d|op|x|c|g)([0-9]+)$/;
  var KIND = { conv: "conv", pool: "pool", maxpool: "pool", avgpool: "pool", tconv: "tconv",
    deconv: "tconv", relu: "id", bn: "id", act: "id", id: "id", sc: "id" };
  var FIELD = { s: "stride", p: "padding", d: "dilation", op: "output_padding", x: "repeat", c: "channels", g: "groups" };
  // c (channels), g (groups) and the residual add "sc" are read by dlnotes/cnn_cost.py; they change no receptive field
  var ALLOWED = { conv: ["s", "p", "d", "c", "g", "x"], pool: ["s", "p", "x"], tconv: ["s", "p", "d", "op", "c", "g", "x"], id: ["x"] };

  function ParseError(column, token, detail) {
    this.column = column; this.token = token; this.detail = detail;
    this.message = detail + " (column " + column + ": '" + token + "')";
  }
  ParseError.prototype = Object.create(Error.prototype);

  function tokens(text) {
    var out = [], m;
    TOKEN.lastIndex = 0;
    while ((m = TOKEN.exec(text)) !== null) {
      var kind = null;
      for (var g = 1; g <= 8; g++) if (m[g] !== undefined) { kind = TOKEN_KINDS[g - 1]; break; }
      if (kind === "space" || kind === "comment") continue;
      if (kind === "bad") throw new ParseError(m.index + 1, m[0], "unexpected character " + pyRepr(m[0]));
      out.push([kind, m[0], m.index + 1]);
    }
    out.push(["end", "", text.length + 1]);
    return out;
  }

  function pyRepr(s) { return s.indexOf("'") >= 0 && s.indexOf('"') < 0 ? '"' + s + '"' : "'" + s + "'"; }
  function toInt(digits) { return digits.length <= 9 ? parseInt(digits, 10) : 1000000000; }

  function layerText(L) {
    if (L.kind === "id") return "id";
    var parts = [L.kind + L.kernel];
    var sDefault = L.kind === "pool" ? L.kernel : 1;
    if (L.stride !== sDefault) parts.push("s" + L.stride);
    if (L.padding) parts.push("p" + L.padding);
    if (L.dilation !== 1) parts.push("d" + L.dilation);
    if (L.output_padding) parts.push("op" + L.output_padding);
    if (L.channels) parts.push("c" + L.channels);
    if (L.groups !== 1) parts.push("g" + L.groups);
    return parts.join(" ");
  }

  function ruleViolation(L) {
    var k = L.kernel, s = L.stride, p = L.padding, d = L.dilation, op = L.output_padding;
    if (L.kind === "pool" && p > Math.floor(k / 2))
      return "padding must be at most half the kernel for pool" + k + " (at most " + Math.floor(k / 2) + "), got " + p;
    if ((L.kind === "conv" || L.kind === "tconv") && p > d * (k - 1))
      return "padding must be at most d*(k-1) = " + d * (k - 1) + " for a kernel of " + k + " with dilation " + d + ", got " + p;
    if (L.kind === "tconv" && op >= Math.max(s, d))
      return "output padding must be smaller than the stride or the dilation (< " + Math.max(s, d) + "), got " + op;
    return "";
  }

  function number(value, name, col, token, low) {
    var high = LIMITS[name] !== undefined ? LIMITS[name] : LIMITS.stride;
    if (value < low) throw new ParseError(col, token, name + " must be at least " + low + ", got " + value);
    if (value > high) throw new ParseError(col, token, name + " must be at most " + high + ", got " + value);
    return value;
  }

  function parse(text) {
    var toks = tokens(text), pos = 0;
    function peek(ahead) { return toks[Math.min(pos + (ahead || 0), toks.length - 1)]; }
    function take() { return toks[pos++]; }

    function sequence(stage, closing) {
      var layers = [];
      for (;;) {
        var t = peek(), kind = t[0], value = t[1], col = t[2];
        if (kind === "word" && peek(1)[0] === "colon") { take(); take(); stage = value; }
        else if (kind === "sep") take();
        else if (kind === "end" || (kind === "close" && closing)) return layers;
        else if (kind === "close") throw new ParseError(col, value, "')' without a matching '('");
        else {
          layers = layers.concat(item(stage));
          t = peek(); kind = t[0]; value = t[1]; col = t[2];
          if (kind !== "sep" && kind !== "end" && kind !== "close")
            throw new ParseError(col, value, "expected ';' between layers");
        }
        if (layers.length > MAX_LAYERS) throw new ParseError(col, value, "more than " + MAX_LAYERS + " layers");
      }
    }

    function item(stage) {
      var t = peek(), kind = t[0], value = t[1], col = t[2];
      if (kind === "open") {
        take();
        var body = sequence(stage, true);
        if (peek()[0] !== "close") throw new ParseError(col, value, "'(' is never closed");
        take();
        if (!body.length) throw new ParseError(col, value, "empty group");
        body = markBlocks(body);
        var times = repeatOption();
        if (body.length * times > MAX_LAYERS) throw new ParseError(col, value, "more than " + MAX_LAYERS + " layers");
        var out = [];
        for (var i = 0; i < times; i++) out = out.concat(body);
        return out;
      }
      if (kind !== "word") throw new ParseError(col, value || "end of text", "expected a layer such as conv3");
      take();
      return layer(value, col, stage);
    }

    function repeatOption() {
      var t = peek();
      if (t[0] === "word") {
        var m = OPTION.exec(t[1].toLowerCase());
        if (!m || m[1] !== "x") throw new ParseError(t[2], t[1], "only a repeat count such as x3 may follow a group");
        take();
        return number(toInt(m[2]), "repeat", t[2], t[1], 1);
      }
      return 1;
    }

    function layer(head, col, stage) {
      var m = HEAD.exec(head.toLowerCase());
      if (!m) throw new ParseError(col, head, "unknown layer; expected conv3, pool2, tconv4, relu, bn or id");
      var kind = KIND[m[1]];
      if (kind === "id" && m[2]) throw new ParseError(col, head, "an identity layer takes no kernel size");
      if (kind !== "id" && !m[2]) throw new ParseError(col, head, "missing kernel size, e.g. " + m[1] + "3");
      var k = kind !== "id" ? number(toInt(m[2]), "kernel", col, head, 1) : 1;
      var opts = {}, optToks = [], last = [col, head];
      while (peek()[0] === "word") {
        var t = take(), value = t[1], ocol = t[2];
        var om = OPTION.exec(value.toLowerCase());
        if (!om) throw new ParseError(ocol, value, "unknown option for " + m[1] + "; expected one of " +
          ALLOWED[kind].map(function (o) { return o + "N"; }).join(", "));
        var name = om[1];
        if (ALLOWED[kind].indexOf(name) < 0) throw new ParseError(ocol, value, m[1] + " does not take option " + name);
        if (Object.prototype.hasOwnProperty.call(opts, name)) throw new ParseError(ocol, value, "option " + name + " given twice");
        var low = (name === "p" || name === "op") ? 0 : 1;
        opts[name] = number(toInt(om[2]), FIELD[name], ocol, value, low);
        optToks.push([ocol, value, name]);
        last = [ocol, value];
      }
      var L = { kind: kind, kernel: k, stride: opts.s !== undefined ? opts.s : (kind === "pool" ? k : 1),
        padding: opts.p || 0, dilation: opts.d || 1, output_padding: opts.op || 0, stage: stage,
        channels: opts.c || 0, groups: opts.g || 1, word: m[1], block: -1 };
      var msg = ruleViolation(L);
      if (msg) {
        var want = msg.indexOf("output padding") >= 0 ? "op" : msg.indexOf("padding") >= 0 ? "p" : "?";
        var bad = last;
        for (var i = 0; i < optToks.length; i++) if (optToks[i][2] === want) { bad = optToks[i]; break; }
        throw new ParseError(bad[0], bad[1], msg);
      }
      L.text = layerText(L);
      var out = [];
      for (var r = 0; r < (opts.x || 1); r++) out.push(L);
      return out;
    }

    var layers = sequence("", false);
    if (!layers.length) throw new ParseError(1, text.trim().slice(0, 20), "empty network: type at least one layer, e.g. conv3");
    return markBlocks(layers);
  }

  // Give every "sc" not yet inside a group its distance from the start of body (a copy:
  // repeated layers are shared objects).
  function markBlocks(body) {
    return body.map(function (L, i) {
      if (L.word !== "sc" || L.block >= 0) return L;
      var c = {};
      Object.keys(L).forEach(function (k) { c[k] = L[k]; });
      c.block = i;
      return c;
    });
  }

  // ---- exact propagation ----------------------------------------------------
  function gcd(a, b) { while (b) { var t = a % b; a = b; b = t; } return a; }
  function mod(a, n) { return ((a % n) + n) % n; }

  function taps(L, u) {
    var k = L.kernel, s = L.stride, p = L.padding, d = L.dilation, out = [], j;
    if (L.kind !== "tconv") {
      for (j = 0; j < k; j++) out.push(u * s - p + d * j);
      return out;
    }
    var seen = {};
    for (j = 0; j < k; j++) {
      var v = u + p - d * j;
      if (mod(v, s) === 0) { var i = (v - mod(v, s)) / s; if (!seen[i]) { seen[i] = true; out.push(i); } }
    }
    return out.sort(function (a, b) { return a - b; });
  }

  function field(level, u) {
    var r = mod(u, level.period), q = (u - r) / level.period;
    if (level.lo[r] === null) return null;
    return [level.lo[r] + q * level.delta, level.hi[r] + q * level.delta];
  }

  function propagate(layers) {
    var level = { period: 1, delta: 1, lo: [0], hi: [0] }, levels = [];
    layers.forEach(function (L) {
      var s = L.stride, period, delta;
      if (L.kind === "tconv") { period = s * level.period; delta = level.delta; }
      else { var g = gcd(s, level.period); period = level.period / g; delta = (s / g) * level.delta; }
      if (period > MAX_PERIOD) throw new Error("the transposed convolutions repeat with period " + period + " > " + MAX_PERIOD);
      var lo = [], hi = [];
      for (var r = 0; r < period; r++) {
        var a = null, b = null;
        taps(L, r).forEach(function (i) {
          var f = field(level, i);
          if (f === null) return;
          if (a === null || f[0] < a) a = f[0];
          if (b === null || f[1] > b) b = f[1];
        });
        lo.push(a); hi.push(b);
      }
      level = { period: period, delta: delta, lo: lo, hi: hi };
      var big = Math.abs(delta) > MAX_SAFE || lo.concat(hi).some(function (v) { return v !== null && Math.abs(v) > Math.floor(MAX_SAFE / 2); });
      if (big) throw new Error("numbers exceed 2^53: the network is too large to analyse exactly");
      levels.push(level);
    });
    return levels;
  }

  function checkUnit(unit) {
    if (!Number.isInteger(unit)) throw new Error("unit must be an integer, got " + unit);
    var lim = Math.floor(MAX_SAFE / 4);
    if (unit < -lim || unit > lim) throw new Error("unit must be in [" + (-lim) + ", " + lim + "], got " + unit);
    return unit;
  }

  function analyze(layers, unit) {
    if (typeof layers === "string") layers = parse(layers);
    unit = checkUnit(unit || 0);
    var levels = propagate(layers), rows = [];
    layers.forEach(function (L, n) {
      var lv = levels[n], sizes = [];
      for (var r = 0; r < lv.period; r++) if (lv.lo[r] !== null) sizes.push(lv.hi[r] - lv.lo[r] + 1);
      var empty = lv.period - sizes.length;
      if (!sizes.length) sizes.push(0);   // degenerate: every unit sees only biases
      var f0 = field(lv, 0), fu = field(lv, unit), g = gcd(lv.delta, lv.period);
      var mn = Math.min.apply(null, sizes), mx = Math.max.apply(null, sizes);
      rows.push({ index: n + 1, text: L.text, stage: L.stage, kind: L.kind, rf_min: mn, rf_max: mx,
        uniform: mn === mx, jump_num: lv.delta / g, jump_den: lv.period / g,
        jump_text: lv.period / g === 1 ? String(lv.delta / g) : (lv.delta / g) + "/" + (lv.period / g),
        rf_text: mn === mx ? String(mx) : mn + "\u2013" + mx,
        padding: f0 === null ? null : -f0[0], unit: unit,
        start: fu === null ? null : fu[0], end: fu === null ? null : fu[1],
        centre: fu === null ? null : (fu[0] + fu[1]) / 2, period: lv.period, empty: empty });
    });
    return rows;
  }

  function support(layers, unit) {
    if (typeof layers === "string") layers = parse(layers);
    unit = checkUnit(unit || 0);
    propagate(layers);
    var units = [unit];
    for (var n = layers.length - 1; n >= 0; n--) {
      var next = new Set();
      for (var i = 0; i < units.length; i++) taps(layers[n], units[i]).forEach(function (t) { next.add(t); });
      if (next.size > 1000000) throw new Error("receptive field too large to list pixel by pixel");
      units = Array.from(next);
    }
    return units.sort(function (a, b) { return a - b; });
  }

  // ---- parameters and multiply-adds: a port of dlnotes/cnn_cost.py count ----------
  // Same conventions: one multiply-add (MAC) per weight per output position (a tconv: per
  // input position); biases, BatchNorm, activations, pooling and residual adds cost none.
  // Parameters: weights, biases (a conv directly followed by bn has none), BatchNorm's
  // scale and shift. BigInt throughout, so the counts are exact like Python's ints.
  function big(v) { return BigInt(v); }

  function floorDiv(a, b) {                       // Python's // for a BigInt a and b > 0
    var q = a / b;
    return (a % b !== big(0) && a < big(0)) ? q - big(1) : q;
  }

  function checkCount(value, name) {              // dlnotes._check.integer(value, name, low=1)
    if (typeof value !== "bigint" && !Number.isInteger(value))
      throw new TypeError(name + " must be an integer, got " + (typeof value === "number" ? "float" : typeof value));
    if (big(value) < big(1)) throw new Error(name + " must be in [1, inf], got " + String(value));
    return big(value);
  }

  function outputSizes(layers, n) {               // dlnotes.receptive_field.output_sizes
    var out = [];
    layers.forEach(function (L, i) {
      var kEff = big(L.dilation * (L.kernel - 1) + 1), s = big(L.stride), p = big(L.padding);
      if (L.kind === "tconv") n = (n - big(1)) * s - big(2) * p + kEff + big(L.output_padding);
      else n = floorDiv(n + big(2) * p - kEff, s) + big(1);
      if (n < big(1)) throw new Error("layer " + (i + 1) + " (" + L.text + "): input too short, the output would be empty");
      out.push(n);
    });
    return out;
  }

  // count(text or layers, size = 224, channels = 3[, rows of analyze]) -> one row per layer:
  // {index, stage, text, c_in, c_out, size, params, macs, rf, jump}; the numbers are BigInt.
  function count(text, size, channels, fields) {
    size = checkCount(size === undefined ? 224 : size, "size");
    channels = checkCount(channels === undefined ? 3 : channels, "channels");
    var layers;
    if (typeof text === "string") layers = parse(text);
    else if (Array.isArray(text)) layers = text;
    else throw new TypeError("text must be the compact layer text (a str), got " + typeof text);
    var sizes = outputSizes(layers, size);
    fields = fields || analyze(layers);
    var shapes = [[channels, size]], rows = [];
    layers.forEach(function (L, i) {
      var cIn = shapes[shapes.length - 1][0], nIn = shapes[shapes.length - 1][1], nOut = sizes[i];
      var cOut = cIn, params = big(0), macs = big(0), label = L.kind !== "id" ? L.text : L.word;
      if (L.kind === "conv" || L.kind === "tconv") {
        cOut = L.channels ? big(L.channels) : cIn;
        var g = big(L.groups);
        if (cIn % g !== big(0) || cOut % g !== big(0))
          throw new Error("layer " + (i + 1) + " (" + L.text + "): groups=" + L.groups + " must divide the input " +
            "channels " + cIn + " and the output channels " + cOut);
        var bias = !(i + 1 < layers.length && layers[i + 1].word === "bn");
        var weights = big(L.kernel) * big(L.kernel) * (cIn / g) * cOut;
        params = weights + (bias ? cOut : big(0));
        macs = weights * (L.kind === "conv" ? nOut * nOut : nIn * nIn);
      } else if (L.word === "bn") {
        params = big(2) * cIn;                     // scale and shift per channel
      } else if (L.word === "sc") {
        var sc = shortcut(shapes[i - L.block], [cIn, nIn], i);
        params = sc[0]; macs = sc[1]; label = sc[2];
      }
      shapes.push([cOut, nOut]);
      rows.push({ index: i + 1, stage: L.stage, text: label, c_in: cIn, c_out: cOut, size: nOut,
        params: params, macs: macs, rf: fields[i].rf_text, jump: fields[i].jump_text });
    });
    return rows;
  }

  // The residual add: identity if the shapes agree, else a 1x1 conv + BN (strided if the map shrinks).
  function shortcut(blockIn, here, i) {
    var c0 = blockIn[0], n0 = blockIn[1], c1 = here[0], n1 = here[1];
    if (c0 === c1 && n0 === n1) return [big(0), big(0), "sc (identity)"];
    var stride = (n0 + n1 - big(1)) / n1;          // ceil(n0 / n1)
    if (n1 > n0 || (n0 - big(1)) / stride + big(1) !== n1)
      throw new Error("layer " + (i + 1) + " (sc): the block changes the map from " + n0 + " to " + n1 +
        ", which a strided 1x1 shortcut cannot match");
    return [c0 * c1 + big(2) * c1, c0 * c1 * n1 * n1, "sc (1x1 projection)"];
  }

  function totals(rows) {
    var p = big(0), m = big(0);
    rows.forEach(function (r) { p += r.params; m += r.macs; });
    return [p, m];
  }

  var PRESETS = {};
  function resnet(blocks, strideIn3x3, dilate) {
    var parts = ["stem: conv7 s2 p3; pool3 s2 p1"], dilation = 1, dil = [false].concat(dilate || [false, false, false]);
    var sx = function (s) { return s !== 1 ? " s" + s : ""; }, dx = function (d) { return d !== 1 ? " d" + d : ""; };
    blocks.forEach(function (n, i) {
      var stage = i + 2, name = "conv" + stage + "_x", stride = stage === 2 ? 1 : 2, prev = dilation;
      if (dil[i]) { dilation *= stride; stride = 1; }
      var first = (stride === 2 && !strideIn3x3) ? "conv1 s2; conv3 p" + prev + dx(prev) + "; conv1"
        : "conv1; conv3" + sx(stride) + " p" + prev + dx(prev) + "; conv1";
      var text = name + ": (" + first + ")";
      if (n > 1) text += "; (conv1; conv3 p" + dilation + dx(dilation) + "; conv1) x" + (n - 1);
      parts.push(text);
    });
    return parts.join(";\n");
  }
  var R101 = resnet([3, 4, 23, 3], true, [false, true, true]);
  PRESETS["alexnet"] = "conv1: conv11 s4 p2; relu; pool3 s2;\nconv2: conv5 p2; relu; pool3 s2;\n" +
    "conv3: conv3 p1; relu;\nconv4: conv3 p1; relu;\nconv5: conv3 p1; relu; pool3 s2";
  PRESETS["vgg16"] = "conv1: (conv3 p1; relu) x2; pool2;\nconv2: (conv3 p1; relu) x2; pool2;\n" +
    "conv3: (conv3 p1; relu) x3; pool2;\nconv4: (conv3 p1; relu) x3; pool2;\nconv5: (conv3 p1; relu) x3; pool2";
  PRESETS["resnet50-v1"] = resnet([3, 4, 6, 3], false);
  PRESETS["resnet50-v1.5"] = resnet([3, 4, 6, 3], true);
  PRESETS["unet"] = "enc1: conv3; conv3; pool2;\nenc2: conv3; conv3; pool2;\nenc3: conv3; conv3; pool2;\n" +
    "enc4: conv3; conv3; pool2;\nbottom: conv3; conv3;\ndec4: tconv2 s2; conv3; conv3;\n" +
    "dec3: tconv2 s2; conv3; conv3;\ndec2: tconv2 s2; conv3; conv3;\ndec1: tconv2 s2; conv3; conv3; conv1";
  PRESETS["decoder-k3s2"] = "enc: (conv3 s2 p1; relu) x3;\ndec: (tconv3 s2 p1 op1; relu) x3";
  PRESETS["deeplabv3-backbone"] = R101;
  PRESETS["deeplabv3-aspp12"] = R101 + ";\naspp: conv3 d12 p12";
  PRESETS["deeplabv3-aspp24"] = R101 + ";\naspp: conv3 d24 p24";
  PRESETS["deeplabv3-aspp36"] = R101 + ";\naspp: conv3 d36 p36";

  var api = { parse: parse, analyze: analyze, support: support, taps: taps, count: count, totals: totals,
    outputSizes: outputSizes, PRESETS: PRESETS };
  if (typeof window !== "undefined") window.rfCalc = api;
  if (typeof module !== "undefined") module.exports = api;
  if (typeof document === "undefined") return;

  var CSS = [
    ".rf-calc{border:1px solid var(--md-default-fg-color--lightest);border-radius:.2rem;padding:.8rem;margin:1em 0}",
    ".rf-calc label{font-weight:600;margin-right:.4rem}",
    ".rf-field{display:inline-flex;align-items:center;white-space:nowrap}",
    ".rf-controls{display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:center;margin-bottom:.6rem}",
    ".rf-calc select,.rf-calc input,.rf-calc textarea{font:inherit;color:var(--md-default-fg-color);",
    "background:var(--md-default-bg-color);border:1px solid var(--md-default-fg-color--lighter);border-radius:.15rem;padding:.2rem .3rem}",
    ".rf-calc input.rf-unit{width:6em}",
    ".rf-calc input.rf-channels,.rf-calc input.rf-size{width:5.5em}",
    ".rf-calc input[aria-invalid=true]{border-color:#d1495b;outline:1px solid #d1495b}",
    ".rf-calc textarea{display:block;width:100%;box-sizing:border-box;font-family:var(--md-code-font-family,monospace);margin-top:.2rem}",
    ".rf-calc textarea[aria-invalid=true]{border-color:var(--md-typeset-del-color,#d1495b);outline:1px solid #d1495b}",
    ".rf-help{font-size:.85em;color:var(--md-default-fg-color--light);margin:.3rem 0}",
    ".rf-error{color:#d1495b;font-weight:600;margin:.3rem 0;min-height:1.2em}",
    "[data-md-color-scheme=slate] .rf-error{color:#ff7b8a}",
    ".rf-has-error .rf-summary,.rf-has-error .rf-diagram,.rf-has-error .rf-table-wrap,.rf-has-error .rf-cost-summary,.rf-has-error .rf-cost-note{opacity:.35}",
    ".rf-diagram svg{display:block}",
    ".rf-diagram .rf-bg{fill:var(--md-default-fg-color--lightest)}",
    ".rf-diagram .rf-hole{fill:var(--md-default-fg-color--lighter)}",
    ".rf-diagram .rf-seen{fill:var(--md-primary-fg-color)}",
    "[data-md-color-scheme=slate] .rf-diagram .rf-seen{fill:#8c9eff}",
    ".rf-diagram .rf-zero{fill:#d1495b}",
    ".rf-diagram .rf-centre{stroke:var(--md-default-fg-color);stroke-width:2;stroke-dasharray:4 3}",
    ".rf-legend{font-size:.8em;margin:.2rem 0}",
    ".rf-swatch{display:inline-block;width:.9em;height:.9em;vertical-align:middle}",
    ".rf-swatch.rf-seen{background:var(--md-primary-fg-color)}",
    "[data-md-color-scheme=slate] .rf-swatch.rf-seen{background:#8c9eff}",
    ".rf-swatch.rf-hole{background:var(--md-default-fg-color--lighter)}",
    ".rf-swatch.rf-zero{background:#d1495b}",
    ".rf-table-wrap{overflow:auto;max-height:28rem}",
    ".rf-table tfoot td{font-weight:600;border-top:1px solid var(--md-default-fg-color--lighter)}",
    ".rf-cost-note{font-size:.8em;color:var(--md-default-fg-color--light);margin:.4rem 0 0}",
    ".rf-table{border-collapse:collapse;font-size:.8em;font-variant-numeric:tabular-nums}",
    ".rf-table th,.rf-table td{padding:.15rem .5rem;border-bottom:1px solid var(--md-default-fg-color--lightest);text-align:right;white-space:nowrap}",
    ".rf-table td:nth-child(2),.rf-table td:nth-child(3),.rf-table th:nth-child(2),.rf-table th:nth-child(3){text-align:left}",
    ".rf-table thead th{position:sticky;top:0;background:var(--md-default-bg-color)}",
    ".rf-table tr.rf-uneven td.rf-rf{color:#d1495b;font-weight:600}",
    "[data-md-color-scheme=slate] .rf-table tr.rf-uneven td.rf-rf{color:#ff7b8a}"
  ].join("\n");

  // ---- the widget --------------------------------------------------------------
  var TEXT = {
    en: { preset: "Preset", custom: "(your own)", network: "Network", unit: "Output unit u",
      help: "Layers separated by ; or new lines: conv3 s2 p1 d2, pool2, tconv4 s2 p1 op0, relu; (…) x3 repeats; name: labels a stage.",
      helpCost: "Cost words (no effect on the receptive field): c64 gives a conv or tconv 64 output channels (default: as many as its input); " +
        "g32 splits it into 32 groups (g equal to the channels: depthwise); sc adds the input of the enclosing ( … ) block back (a residual connection). " +
        "Once a layer has cN, the table also counts parameters and multiply-adds for the input below.",
      channels: "Input channels", size: "Input size (px)", params: "params", macs: "mult-adds", total: "total",
      badChannels: function (v) { return "Input channels must be a whole number from 1 to " + MAX_INPUT + ", got " + (v === "" ? "nothing" : "'" + v + "'") + "."; },
      badSize: function (v) { return "Input size must be a whole number of pixels from 1 to " + MAX_INPUT + ", got " + (v === "" ? "nothing" : "'" + v + "'") + "."; },
      cost: function (c, n, p, m, last) {
        return "For a " + c + " × " + n + " × " + n + " input: " + p + " parameters, " + m + " multiply-adds; the last layer outputs " + last + "."; },
      note: "Convention (as dlnotes.cnn_cost): one multiply-add is one multiplication plus the addition that accumulates it, the “FLOPs” of most CNN papers " +
        "(strict floating-point operations are about twice as many). Only products with conv weights are counted: k²·(C_in/g)·C_out per output pixel " +
        "(tconv: per input pixel); biases, BatchNorm, activations, pooling and residual additions count zero. Parameters are weights, biases " +
        "(none for a conv directly followed by bn) and BatchNorm’s scale and shift (2 per channel). sc is free when the shapes agree, " +
        "otherwise a 1×1 conv + BN (strided when the map shrinks). Square maps; PyTorch output sizes (rounded down).",
      layer: "layer", stage: "stage", rf: "RF", jump: "jump", pad: "padding", start: "start of u", centre: "centre of u", end: "end of u",
      summary: function (r) { return "Last layer: receptive field " + r.rf_text + " px, jump " + r.jump_text + " px."; },
      uneven: function (r) { return " The receptive field differs between output units (" + r.rf_min + " to " + r.rf_max + " px, period " + r.period + "): no single number describes it."; },
      empty: function (r) { return " " + r.empty + " of every " + r.period + " output units see no input pixel at all (only the bias)."; },
      sees: function (r, n, h) { return "Unit " + r.unit + " sees input pixels " + r.start + " to " + r.end + " (" + n + " pixels" + (h ? ", " + h + " holes inside the span" : "") + "); negative positions are padding."; },
      none: function (r) { return "Unit " + r.unit + " sees no input pixel (only the bias)."; },
      error: "", diagram: "Input pixels seen by the chosen output unit", seen: "seen", hole: "hole inside the span", zero: "pixel 0" },
    zh: { preset: "预设网络", custom: "（自定义）", network: "网络", unit: "输出单元 u",
      help: "层之间用 ; 或换行分隔：conv3 s2 p1 d2、pool2、tconv4 s2 p1 op0、relu；(…) x3 表示重复；name: 给阶段命名。",
      helpCost: "计算开销用的词（不影响感受野）：c64 让卷积或转置卷积输出 64 个通道（默认与输入通道数相同）；" +
        "g32 把它分成 32 组（g 等于通道数就是深度卷积）；sc 把外层 ( … ) 块的输入加回来（残差连接）。" +
        "只要有一层写了 cN，表格就按下面的输入同时统计参数量和乘加次数。",
      channels: "输入通道数", size: "输入尺寸（像素）", params: "参数量", macs: "乘加次数", total: "合计",
      badChannels: function (v) { return "输入通道数必须是 1 到 " + MAX_INPUT + " 之间的整数，" + (v === "" ? "现在是空的" : "现在是 “" + v + "”") + "。"; },
      badSize: function (v) { return "输入尺寸必须是 1 到 " + MAX_INPUT + " 之间的整数（像素），" + (v === "" ? "现在是空的" : "现在是 “" + v + "”") + "。"; },
      cost: function (c, n, p, m, last) {
        return "输入 " + c + " × " + n + " × " + n + " 时：参数量 " + p + "，乘加 " + m + " 次；最后一层输出 " + last + "。"; },
      note: "约定（与 dlnotes.cnn_cost 相同）：一次乘法加上把它累加进去的一次加法算 1 次乘加，也就是多数 CNN 论文所说的 “FLOPs”" +
        "（严格意义上的浮点运算次数约为它的两倍）。只统计与卷积权重的乘积：每个输出像素 k²·(C_in/g)·C_out 次（转置卷积按输入像素计）；" +
        "偏置、BatchNorm、激活函数、池化和残差相加都记为 0。参数量包括权重、偏置（紧跟 bn 的卷积没有偏置）以及 BatchNorm 的缩放和平移" +
        "（每个通道 2 个）。形状一致时 sc 不带参数，否则是 1×1 卷积加 BN（特征图缩小时带步长）。特征图按正方形计，输出尺寸用 PyTorch 的公式（向下取整）。",
      layer: "层", stage: "阶段", rf: "感受野", jump: "跳跃步长", pad: "等效填充", start: "u 的起点", centre: "u 的中心", end: "u 的终点",
      summary: function (r) { return "最后一层：感受野 " + r.rf_text + " 像素，跳跃步长 " + r.jump_text + " 像素。"; },
      uneven: function (r) { return "不同输出单元的感受野大小不同（" + r.rf_min + " 到 " + r.rf_max + " 像素，周期 " + r.period + "），不能用一个数描述。"; },
      empty: function (r) { return "每 " + r.period + " 个输出单元中有 " + r.empty + " 个看不到任何输入像素（只有偏置）。"; },
      sees: function (r, n, h) { return "单元 " + r.unit + " 看到输入像素 " + r.start + " 到 " + r.end + "（共 " + n + " 个" + (h ? "，区间内有 " + h + " 个空洞" : "") + "）；负坐标是填充。"; },
      none: function (r) { return "单元 " + r.unit + " 看不到任何输入像素（只有偏置）。"; },
      error: "输入有误：", diagram: "所选输出单元看到的输入像素", seen: "看到", hole: "区间内的空洞", zero: "像素 0" }
  };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function fmt(v) { return v === null ? "\u2014" : String(v); }

  // 25557032 -> "25,557,032", and from 10,000 on with a short form: "25,557,032 (25.6 M)"
  function group(v) { return String(v).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }
  function approx(v) {
    var x = Number(v), units = [[1e12, "T"], [1e9, "G"], [1e6, "M"], [1e3, "k"]];
    if (x < 1e4) return group(v);
    for (var i = 0; i < units.length; i++)
      if (x >= units[i][0]) return group(v) + " (" + Number((x / units[i][0]).toPrecision(3)) + " " + units[i][1] + ")";
    return group(v);
  }

  // The value of a number box: an integer in [1, MAX_INPUT], or null.
  function wholeNumber(input) {
    var raw = input.value.trim(), v = Number(raw);
    return raw !== "" && Number.isInteger(v) && v >= 1 && v <= MAX_INPUT ? v : null;
  }

  function mount(root) {
    var lang = root.getAttribute("data-lang") === "zh" ? "zh" : "en", T = TEXT[lang];
    var uid = "rf" + Math.random().toString(36).slice(2, 8);
    root.textContent = "";
    var controls = el("div", { "class": "rf-controls" });
    var presetLabel = el("label", { "for": uid + "-preset" }, T.preset);
    var select = el("select", { id: uid + "-preset", "class": "rf-preset" });
    select.appendChild(el("option", { value: "" }, T.custom));
    Object.keys(PRESETS).forEach(function (name) { select.appendChild(el("option", { value: name }, name)); });
    var unitLabel = el("label", { "for": uid + "-unit" }, T.unit);
    var unitInput = el("input", { id: uid + "-unit", "class": "rf-unit", type: "number", step: "1", value: "0" });
    function field(label, input) {                  // a label stays on the line of its box
      var span = el("span", { "class": "rf-field" });
      span.appendChild(label); span.appendChild(input); controls.appendChild(span);
    }
    field(presetLabel, select);
    field(unitLabel, unitInput);
    var chLabel = el("label", { "for": uid + "-channels" }, T.channels);
    var chInput = el("input", { id: uid + "-channels", "class": "rf-channels", type: "number", step: "1", min: "1",
      max: String(MAX_INPUT), value: "3" });
    var sizeLabel = el("label", { "for": uid + "-size" }, T.size);
    var sizeInput = el("input", { id: uid + "-size", "class": "rf-size", type: "number", step: "1", min: "1",
      max: String(MAX_INPUT), value: "224" });
    field(chLabel, chInput);
    field(sizeLabel, sizeInput);
    var textLabel = el("label", { "for": uid + "-text", "class": "rf-text-label" }, T.network);
    var area = el("textarea", { id: uid + "-text", "class": "rf-text", rows: "4", spellcheck: "false",
      autocapitalize: "off", autocomplete: "off", "aria-describedby": uid + "-error " + uid + "-help " + uid + "-help-cost" });
    area.value = root.getAttribute("data-initial") || "conv3 p1; conv3 p1; pool2 s2; conv3 d2 p2; tconv4 s2 p1";
    var help = el("p", { id: uid + "-help", "class": "rf-help" }, T.help);
    var helpCost = el("p", { id: uid + "-help-cost", "class": "rf-help rf-help-cost" }, T.helpCost);
    var error = el("p", { id: uid + "-error", "class": "rf-error", role: "alert", "aria-live": "polite" });
    var summary = el("p", { "class": "rf-summary", "aria-live": "polite" });
    var costSummary = el("p", { "class": "rf-cost-summary", "aria-live": "polite" });
    var figure = el("div", { "class": "rf-diagram", role: "img", "aria-label": T.diagram });
    var tableWrap = el("div", { "class": "rf-table-wrap" });
    var note = el("p", { "class": "rf-cost-note" }, T.note);
    [controls, textLabel, area, help, helpCost, error, summary, costSummary, figure, tableWrap, note]
      .forEach(function (n) { root.appendChild(n); });

    function update() {
      error.textContent = "";
      [area, unitInput, chInput, sizeInput].forEach(function (n) { n.removeAttribute("aria-invalid"); });
      var rows, seen, unit = Number(unitInput.value);
      try {
        if (unitInput.value.trim() === "" || !Number.isInteger(unit)) throw new Error("unit must be an integer, got " + (unitInput.value || "nothing"));
        var layers = parse(area.value);
        rows = analyze(layers, unit);
        seen = rows[rows.length - 1].start === null ? [] : support(layers, unit);
      } catch (e) {
        error.textContent = T.error + e.message;
        area.setAttribute("aria-invalid", "true");
        root.classList.add("rf-has-error");
        return;
      }
      root.classList.remove("rf-has-error");
      var last = rows[rows.length - 1];
      var holes = last.start === null ? 0 : (last.end - last.start + 1) - seen.length;
      var text = T.summary(last);
      if (!last.uniform) text += T.uneven(last);
      if (last.empty) text += T.empty(last);
      text += " " + (last.start === null ? T.none(last) : T.sees(last, seen.length, holes));
      summary.textContent = text;
      drawDiagram(figure, last, seen, T);
      var cost = null;
      try { cost = costs(layers, rows); } catch (e) {
        error.textContent = T.error + e.message;
        (e.input || area).setAttribute("aria-invalid", "true");
      }
      costSummary.textContent = cost ? T.cost(cost.channels, cost.size, approx(cost.params), approx(cost.macs), cost.last) : "";
      costSummary.hidden = note.hidden = !cost;
      drawTable(tableWrap, rows, T, layers, cost);
    }

    // Parameters and multiply-adds (dlnotes.cnn_cost.count) when some layer sets its channels (cN);
    // null otherwise. Throws an Error naming the problem (with .input: the box to mark).
    function costs(layers, rows) {
      var ch = wholeNumber(chInput), size = wholeNumber(sizeInput), e;
      if (ch === null) { e = new Error(T.badChannels(chInput.value.trim())); e.input = chInput; throw e; }
      if (size === null) { e = new Error(T.badSize(sizeInput.value.trim())); e.input = sizeInput; throw e; }
      if (typeof BigInt === "undefined" || !layers.some(function (L) { return L.channels > 0; })) return null;
      var crows = count(layers, size, ch, rows), tot = totals(crows), z = crows[crows.length - 1];
      return { rows: crows, params: tot[0], macs: tot[1], channels: ch, size: size,
        last: z.c_out + " × " + z.size + " × " + z.size };
    }
    select.addEventListener("change", function () { if (select.value) { area.value = PRESETS[select.value]; update(); } });
    area.addEventListener("input", function () { select.value = ""; update(); });
    unitInput.addEventListener("input", update);
    chInput.addEventListener("input", update);
    sizeInput.addEventListener("input", update);
    update();
  }

  function drawTable(wrap, rows, T, layers, cost) {
    var table = el("table", { "class": "rf-table" });
    var head = el("tr");
    // The cost columns come right after the stage, where they are seen without scrolling sideways.
    var heads = ["#", T.layer, T.stage].concat(cost ? [T.params, T.macs] : [],
      [T.rf, T.jump, T.pad, T.start, T.centre, T.end]);
    heads.forEach(function (h) { head.appendChild(el("th", {}, h)); });
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    var body = el("tbody");
    rows.forEach(function (r, i) {
      var tr = el("tr", r.uniform ? {} : { "class": "rf-uneven" });
      // The layer as typed (relu, bn, sc, ...: analyze calls them all "id"); with costs, the counter's label
      var label = cost ? cost.rows[i].text : layers[i].kind === "id" ? layers[i].word : r.text;
      var cells = [r.index, label, r.stage].concat(cost ? [group(cost.rows[i].params), group(cost.rows[i].macs)] : [],
        [r.rf_text, r.jump_text, fmt(r.padding), fmt(r.start), fmt(r.centre), fmt(r.end)]);
      var rfCol = cost ? 5 : 3;
      cells.forEach(function (v, j) { tr.appendChild(el("td", j === rfCol ? { "class": "rf-rf" } : {}, String(v))); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    if (cost) {
      var foot = el("tfoot"), tr = el("tr");
      ["", T.total, "", group(cost.params), group(cost.macs), "", "", "", "", "", ""]
        .forEach(function (v) { tr.appendChild(el("td", {}, v)); });
      foot.appendChild(tr); table.appendChild(foot);
    }
    wrap.textContent = "";
    wrap.appendChild(table);
  }

  function drawDiagram(box, row, seen, T) {
    // SVG built as markup from numbers only (no user text), parsed by the HTML parser.
    box.textContent = "";
    if (row.start === null) return;
    var span = row.end - row.start + 1, margin = Math.max(2, Math.ceil(span * 0.06));
    var lo = Math.min(row.start - margin, -1), hi = Math.max(row.end + margin, 1);
    if (hi - lo > span * 3 + 20) { lo = row.start - margin; hi = row.end + margin; }
    var n = hi - lo + 1, W = 1000, cell = W / n, H = 56, gap = cell > 4 ? 1 : 0;
    var r = function (x, y, w, h, cls) {
      return '<rect x="' + x.toFixed(2) + '" y="' + y + '" width="' + Math.max(w, 0.6).toFixed(2) + '" height="' + h + '" class="' + cls + '"/>';
    };
    var parts = [r(0, 12, W, 24, "rf-bg"), r((row.start - lo) * cell, 12, span * cell, 24, "rf-hole")];
    var i = 0;
    while (i < seen.length) {                         // one rectangle per run of consecutive pixels
      var j = i;
      while (j + 1 < seen.length && seen[j + 1] === seen[j] + 1) j++;
      parts.push(r((seen[i] - lo) * cell + gap / 2, 12, (seen[j] - seen[i] + 1) * cell - gap, 24, "rf-seen"));
      i = j + 1;
    }
    if (lo <= 0 && hi >= 0) parts.push(r((0 - lo) * cell + cell / 2 - 1.5, 38, 3, 12, "rf-zero"));   // tick under pixel 0
    var c = ((row.centre - lo + 0.5) * cell).toFixed(2);
    parts.push('<path d="M' + c + ' 0 L' + c + ' 48" class="rf-centre"/>');
    box.innerHTML = '<svg viewBox="0 0 ' + W + ' ' + H + '" preserveAspectRatio="none" width="100%" height="' + H +
      '" aria-hidden="true">' + parts.join("") + "</svg>";
    var legend = el("p", { "class": "rf-legend" });
    [["rf-seen", T.seen], ["rf-hole", T.hole], ["rf-zero", T.zero]].forEach(function (p) {
      legend.appendChild(el("span", { "class": "rf-swatch " + p[0] }));
      legend.appendChild(document.createTextNode(" " + p[1] + "   "));
    });
    legend.appendChild(document.createTextNode("| " + row.start + " \u2026 " + row.end));
    box.appendChild(legend);
  }

  function mountWithStyle(root) {
    if (!document.getElementById("rf-calc-style")) {
      var st = document.createElement("style");
      st.id = "rf-calc-style";
      st.textContent = CSS;
      document.head.appendChild(st);
    }
    mount(root);
  }

  // Build the widget only when it comes near the screen: on load, the page (136 formulas)
  // is busy enough; mounting eagerly cost a 150 ms task on a throttled phone.
  function init() {
    var roots = Array.prototype.slice.call(document.querySelectorAll(".rf-calc"));
    if (!("IntersectionObserver" in window)) { roots.forEach(mountWithStyle); return; }
    var io = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { io.unobserve(e.target); mountWithStyle(e.target); }
      });
    }, { rootMargin: "600px 0px" });
    roots.forEach(function (r) { io.observe(r); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

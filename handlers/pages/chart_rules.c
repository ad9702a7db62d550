/* chart_rules.c — owns the dashboard's SVG charts (chart_rules.h): worked
 * hours and overtime per department, rates, and a series over time; the
 * axes, the geometry, the cut labels and the markup, every text escaped
 * by tpl_escape_append. Pure. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "chart_rules.h"
#include "template.h"

void chart_axis(double max, double *step, int *nsteps)
{
    if (!isfinite(max) || max <= 0) {
        *step = 1;
        *nsteps = 1;
        return;
    }
    double raw = max / 5, mag = pow(10, floor(log10(raw))), norm = raw / mag;
    double s = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
    int n = (int)ceil(max / s - 1e-9);
    *step = s;
    *nsteps = n < 1 ? 1 : n;
}

double chart_bar_length(double value, double axis_max, double width)
{
    if (!isfinite(value) || !isfinite(axis_max) || axis_max <= 0 || value <= 0)
        return 0;
    double len = value / axis_max * width;
    return len > width ? width : len;
}

int chart_height(int n)
{
    return CHART_TOP + (n > 0 ? n : 1) * CHART_ROW + CHART_AXIS;
}

void chart_cut_label(const char *label, int max_chars, char *out, size_t size)
{
    const unsigned char *s = (const unsigned char *)label;
    size_t i = 0;
    int chars = 0;

    if (size == 0)
        return;
    /* the byte offset after max_chars characters (continuation bytes
     * 10xxxxxx belong to the character before them) */
    while (s[i] != '\0' && chars < max_chars) {
        i++;
        while ((s[i] & 0xC0) == 0x80)
            i++;
        chars++;
    }
    int cut = s[i] != '\0';
    if (cut && i > 0) {
        /* room for the ellipsis: one character less */
        do
            i--;
        while (i > 0 && (s[i] & 0xC0) == 0x80);
    }
    const char *ell = cut ? "\xE2\x80\xA6" : "";
    if (i + strlen(ell) + 1 > size)
        i = 0, ell = "";
    memcpy(out, label, i);
    memcpy(out + i, ell, strlen(ell) + 1);
}

/* ---- the markup -------------------------------------------------------- */

struct sbuf {
    char *buf;
    size_t used, cap;
};

static void put(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    if (b->used + (size_t)n + 1 > b->cap) {
        b->cap = (b->used + (size_t)n + 1) * 2;
        if ((b->buf = realloc(b->buf, b->cap)) == NULL)
            abort();
    }
    va_start(ap, fmt);
    vsnprintf(b->buf + b->used, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->used += (size_t)n;
}

static void esc(struct sbuf *b, const char *s)
{
    tpl_escape_append(&b->buf, &b->used, &b->cap, s, strlen(s));
}

/* <svg ...><title>title</title><desc ...> (the desc left open) */
static void open_svg(struct sbuf *b, int h, const char *title, const char *id_prefix)
{
    put(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 %d %d\" "
           "width=\"100%%\" role=\"img\" aria-labelledby=\"%s-title %s-desc\">",
        CHART_WIDTH, h, id_prefix, id_prefix);
    put(b, "<title id=\"%s-title\">", id_prefix);
    esc(b, title);
    put(b, "</title><desc id=\"%s-desc\">", id_prefix);
}

/* the row's label: its full text as the group's title, cut in the column */
static void row_label(struct sbuf *b, const char *label, int y)
{
    char cut[CHART_LABEL_CHARS * 4 + 4];
    chart_cut_label(label, CHART_LABEL_CHARS, cut, sizeof cut);
    put(b, "<g class=\"chart-row\"><title>");
    esc(b, label);
    put(b, "</title><text class=\"chart-label\" x=\"%d\" y=\"%d\" text-anchor=\"end\" "
           "font-size=\"13\">", CHART_LABEL_WIDTH - 8, y + 20);
    esc(b, cut);
    put(b, "</text>");
}

/* the grid's vertical lines and their tick labels over width pixels
 * (tick k of nsteps reading value step * k with unit after it) */
static void grid(struct sbuf *b, int axis_y, double step, int nsteps, const char *unit, double width)
{
    for (int k = 0; k <= nsteps; k++) {
        double x = CHART_LABEL_WIDTH + chart_bar_length(step * k, step * nsteps, width);
        put(b, "<line class=\"chart-grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
               "stroke=\"#ccc\"/>", x, CHART_TOP, x, axis_y);
        put(b, "<text class=\"chart-tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" "
               "font-size=\"12\">%g%s</text>", x, axis_y + 18, step * k, unit);
    }
}

char *chart_rates_svg(const struct chart_rate *rows, int n, const char *title,
                      const char *id_prefix, size_t *len)
{
    struct sbuf b = {NULL, 0, 0};
    int h = chart_height(n), axis_y = CHART_TOP + (n > 0 ? n : 1) * CHART_ROW;
    char line[160];

    open_svg(&b, h, title, id_prefix);
    if (n == 0)
        esc(&b, "No rates.");
    for (int i = 0; i < n; i++) {
        esc(&b, rows[i].label);
        if (isfinite(rows[i].value))
            snprintf(line, sizeof line, ": %.1f %%%s%s%s.%s", rows[i].value * 100,
                     rows[i].note ? " (" : "", rows[i].note ? rows[i].note : "", rows[i].note ? ")" : "",
                     i + 1 < n ? " " : "");
        else
            snprintf(line, sizeof line, ": no data.%s", i + 1 < n ? " " : "");
        esc(&b, line);
    }
    put(&b, "</desc>");
    grid(&b, axis_y, 25, 4, " %", CHART_RATES_PLOT_WIDTH);
    for (int i = 0; i < n; i++) {
        int y = CHART_TOP + i * CHART_ROW;
        row_label(&b, rows[i].label, y);
        if (!isfinite(rows[i].value)) {
            put(&b, "<text class=\"chart-value chart-empty\" x=\"%d\" y=\"%d\" font-size=\"12\">"
                    "no data</text>", CHART_LABEL_WIDTH + 4, y + 22);
            put(&b, "</g>");
            continue;
        }
        double l = chart_bar_length(rows[i].value, 1, CHART_RATES_PLOT_WIDTH);
        put(&b, "<rect class=\"chart-worked\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"20\" "
                "fill=\"#2f6db3\"/>", CHART_LABEL_WIDTH, y + 8, l);
        put(&b, "<text class=\"chart-value\" x=\"%.1f\" y=\"%d\" font-size=\"12\">%.1f %%",
            CHART_LABEL_WIDTH + l + 4, y + 23, rows[i].value * 100);
        if (rows[i].note != NULL) {
            put(&b, " (");
            esc(&b, rows[i].note);
            put(&b, ")");
        }
        put(&b, "</text></g>");
    }
    put(&b, "</svg>");
    if (len != NULL)
        *len = b.used;
    return b.buf;
}

char *chart_hours_svg(const struct chart_bar *bars, int n, const char *title,
                      const char *id_prefix, size_t *len)
{
    struct sbuf b = {NULL, 0, 0};
    double max = 0, step;
    int nsteps, h = chart_height(n);

    for (int i = 0; i < n; i++)
        if (isfinite(bars[i].hours) && bars[i].hours > max)
            max = bars[i].hours;
    chart_axis(max, &step, &nsteps);
    double axis_max = step * nsteps;

    open_svg(&b, h, title, id_prefix);
    if (n == 0)
        esc(&b, "No departments.");
    for (int i = 0; i < n; i++) {
        char line[128];
        esc(&b, bars[i].label);
        snprintf(line, sizeof line, ": %.1f hours worked, %.1f hours overtime.%s",
                 bars[i].hours, bars[i].overtime, i + 1 < n ? " " : "");
        esc(&b, line);
    }
    put(&b, "</desc>");

    /* grid lines and tick labels */
    int axis_y = CHART_TOP + (n > 0 ? n : 1) * CHART_ROW;
    grid(&b, axis_y, step, nsteps, " h", CHART_PLOT_WIDTH);
    if (n == 0)
        put(&b, "<text class=\"chart-empty\" x=\"%d\" y=\"%d\" font-size=\"14\">"
                "No department has worked hours in this period.</text>",
            CHART_LABEL_WIDTH + 10, CHART_TOP + CHART_ROW / 2 + 5);

    for (int i = 0; i < n; i++) {
        int y = CHART_TOP + i * CHART_ROW;
        double wl = chart_bar_length(bars[i].hours, axis_max, CHART_PLOT_WIDTH);
        double ol = chart_bar_length(bars[i].overtime, axis_max, CHART_PLOT_WIDTH);
        row_label(&b, bars[i].label, y);
        put(&b, "<rect class=\"chart-worked\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"16\" "
                "fill=\"#2f6db3\"/>", CHART_LABEL_WIDTH, y + 6, wl);
        put(&b, "<text class=\"chart-value\" x=\"%.1f\" y=\"%d\" font-size=\"12\">%.1f h</text>",
            CHART_LABEL_WIDTH + wl + 4, y + 19, bars[i].hours);
        put(&b, "<rect class=\"chart-overtime\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"10\" "
                "fill=\"#c0392b\"/>", CHART_LABEL_WIDTH, y + 26, ol);
        if (bars[i].overtime > 0)
            put(&b, "<text class=\"chart-value chart-value-overtime\" x=\"%.1f\" y=\"%d\" "
                    "font-size=\"11\">%.1f h overtime</text>",
                CHART_LABEL_WIDTH + ol + 4, y + 35, bars[i].overtime);
        put(&b, "</g>");
    }
    put(&b, "</svg>");
    if (len != NULL)
        *len = b.used;
    return b.buf;
}

/* ---- a series over time ------------------------------------------------ */

void chart_range(double lo, double hi, double *axis_lo, double *step, int *nsteps)
{
    if (!isfinite(lo) || !isfinite(hi) || lo > hi) {
        lo = 0;
        hi = 1;
    }
    double span = hi - lo;
    if (span <= 0)
        span = fabs(hi) > 0 ? fabs(hi) / 10 : 1;
    int n;
    chart_axis(span, step, &n);
    double from = floor(lo / *step) * *step;
    /* chart_axis's at most 5 steps, and at most one more below lo */
    n = (int)ceil((hi - from) / *step - 1e-9);
    *axis_lo = from;
    *nsteps = n < 1 ? 1 : n;
}

double chart_series_y(double value, double axis_lo, double axis_hi, double height)
{
    if (!isfinite(value) || !isfinite(axis_lo) || !isfinite(axis_hi) || axis_hi <= axis_lo)
        return height;
    double y = height - (value - axis_lo) / (axis_hi - axis_lo) * height;
    return y < 0 ? 0 : y > height ? height : y;
}

char *chart_series_svg(const double *values, int n, const char *title, const char *unit, const char *first,
                       const char *last, const char *id_prefix, size_t *len)
{
    struct sbuf b = {NULL, 0, 0};
    double lo = INFINITY, hi = -INFINITY, final = NAN, axis_lo, step;
    int nsteps, reported = 0, axis_y = CHART_TOP + CHART_SERIES_PLOT_HEIGHT;
    char line[200];

    for (int i = 0; i < n; i++) {
        if (!isfinite(values[i]))
            continue;
        reported++;
        lo = values[i] < lo ? values[i] : lo;
        hi = values[i] > hi ? values[i] : hi;
        final = values[i];
    }
    chart_range(lo, hi, &axis_lo, &step, &nsteps);
    double axis_hi = axis_lo + step * nsteps;

    open_svg(&b, CHART_SERIES_HEIGHT, title, id_prefix);
    if (reported == 0)
        snprintf(line, sizeof line, "No samples.");
    else
        snprintf(line, sizeof line, "%d samples: lowest %g %s, highest %g %s, last %g %s.", reported, lo, unit,
                 hi, unit, final, unit);
    esc(&b, line);
    put(&b, "</desc>");
    for (int k = 0; k <= nsteps; k++) {
        double v = axis_lo + step * k;
        double y = CHART_TOP + chart_series_y(v, axis_lo, axis_hi, CHART_SERIES_PLOT_HEIGHT);
        put(&b, "<line class=\"chart-grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ccc\"/>",
            CHART_SERIES_LEFT, y, CHART_SERIES_LEFT + CHART_SERIES_PLOT_WIDTH, y);
        put(&b, "<text class=\"chart-tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"12\">%g</text>",
            CHART_SERIES_LEFT - 6, y + 4, fabs(v) < step / 1e6 ? 0 : v);
    }
    put(&b, "<text class=\"chart-tick\" x=\"%d\" y=\"%d\" font-size=\"12\">", CHART_SERIES_LEFT, axis_y + 18);
    esc(&b, first != NULL ? first : "");
    put(&b, "</text><text class=\"chart-tick\" x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"12\">",
        CHART_SERIES_LEFT + CHART_SERIES_PLOT_WIDTH, axis_y + 18);
    esc(&b, last != NULL ? last : "");
    put(&b, "</text>");
    if (reported == 0)
        put(&b, "<text class=\"chart-empty\" x=\"%d\" y=\"%d\" font-size=\"14\">No samples.</text>",
            CHART_SERIES_LEFT + 10, CHART_TOP + CHART_SERIES_PLOT_HEIGHT / 2);
    /* a polyline per run of reported values, a dot for a value alone */
    int open = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(values[i])) {
            if (open)
                put(&b, "\"/>");
            open = 0;
            continue;
        }
        double x = CHART_SERIES_LEFT + (n > 1 ? (double)i / (n - 1) * CHART_SERIES_PLOT_WIDTH
                                              : CHART_SERIES_PLOT_WIDTH / 2.0);
        double y = CHART_TOP + chart_series_y(values[i], axis_lo, axis_hi, CHART_SERIES_PLOT_HEIGHT);
        if ((i == 0 || !isfinite(values[i - 1])) && (i == n - 1 || !isfinite(values[i + 1]))) {
            put(&b, "<circle class=\"chart-point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#2f6db3\"/>", x, y);
            continue;           /* a point alone: a dot, not a line */
        }
        if (!open)
            put(&b, "<polyline class=\"chart-line\" fill=\"none\" stroke=\"#2f6db3\" stroke-width=\"2\" points=\"");
        put(&b, "%s%.1f,%.1f", open ? " " : "", x, y);
        open = 1;
    }
    if (open)
        put(&b, "\"/>");
    put(&b, "</svg>");
    if (len != NULL)
        *len = b.used;
    return b.buf;
}

/* test_chart.c — handlers/pages/chart_rules.h: the axis of round numbers, bar lengths
 * (proportional, clamped), the SVG's height, labels cut without breaking
 * a UTF-8 character, and the markup: every PMS text escaped, one row per
 * department, a description for screen readers, an empty chart; the
 * rates chart: bars on a 0-100 % axis, "no data" for a rate without one,
 * notes escaped; the series chart: its axis around any range, the y of
 * a value (clamped), a line per run of values with gaps, a dot for a
 * value alone, the description and the end labels escaped. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pages/chart_rules.h"
#include "unit.h"

#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const struct { double max, step; int n; } axis_vec[] = {
    {0, 1, 1}, {-5, 1, 1}, {0.3, 0.1, 3}, {1, 0.2, 5}, {4, 1, 4}, {7.3, 2, 4}, {10, 2, 5},
    {12.5, 5, 3}, {37.5, 10, 4}, {40, 10, 4}, {41, 10, 5}, {99, 20, 5}, {120, 50, 3},
    {1000, 200, 5},
};

START_TEST(axis)
{
    double step;
    int n;
    chart_axis(axis_vec[_i].max, &step, &n);
    ck_assert_msg(fabs(step - axis_vec[_i].step) < 1e-9 && n == axis_vec[_i].n,
                  "max %g: step %g n %d", axis_vec[_i].max, step, n);
    ck_assert(step * n >= axis_vec[_i].max - 1e-9);
    ck_assert(n >= 1 && n <= 5);
}
END_TEST

START_TEST(axis_not_finite)
{
    double step;
    int n;
    chart_axis(NAN, &step, &n);
    ck_assert(step == 1 && n == 1);
    chart_axis(INFINITY, &step, &n);
    ck_assert(step == 1 && n == 1);
}
END_TEST

START_TEST(bar_lengths)
{
    ck_assert(fabs(chart_bar_length(20, 40, 400) - 200) < 1e-9);
    ck_assert(fabs(chart_bar_length(40, 40, 400) - 400) < 1e-9);
    ck_assert(chart_bar_length(50, 40, 400) == 400);        /* clamped */
    ck_assert(chart_bar_length(0, 40, 400) == 0);
    ck_assert(chart_bar_length(-3, 40, 400) == 0);
    ck_assert(chart_bar_length(5, 0, 400) == 0);
    ck_assert(chart_bar_length(NAN, 40, 400) == 0);
    ck_assert(chart_bar_length(5, INFINITY, 400) == 0);
}
END_TEST

START_TEST(height)
{
    ck_assert_int_eq(chart_height(0), CHART_TOP + CHART_ROW + CHART_AXIS);
    ck_assert_int_eq(chart_height(1), CHART_TOP + CHART_ROW + CHART_AXIS);
    ck_assert_int_eq(chart_height(5), CHART_TOP + 5 * CHART_ROW + CHART_AXIS);
}
END_TEST

START_TEST(cut_labels)
{
    char out[64];
    chart_cut_label("Reception", 24, out, sizeof out);
    ck_assert_str_eq(out, "Reception");
    chart_cut_label("abcdefghij", 5, out, sizeof out);
    ck_assert_str_eq(out, "abcd\xE2\x80\xA6");
    chart_cut_label("abcde", 5, out, sizeof out);
    ck_assert_str_eq(out, "abcde");
    /* é is two bytes, € three: counted as one character each, never split */
    chart_cut_label("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 4, out, sizeof out);
    ck_assert_str_eq(out, "\xC3\xA9\xC3\xA9\xC3\xA9\xE2\x80\xA6");
    chart_cut_label("\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC", 3, out, sizeof out);
    ck_assert_str_eq(out, "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC");
    chart_cut_label("", 5, out, sizeof out);
    ck_assert_str_eq(out, "");
    chart_cut_label("abcdefgh", 6, out, 4);                 /* no room: empty */
    ck_assert_str_eq(out, "");
}
END_TEST

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

START_TEST(markup_escapes_pms_text)
{
    struct chart_bar bars[] = {
        {"<script>alert(1)</script>", 30, 2},
        {"Bar & \"Grill\" 'n' `x`", 10, 0},
    };
    size_t len = 0;
    char *svg = chart_hours_svg(bars, 2, "Week <1>", "wk", &len);
    ck_assert_ptr_nonnull(svg);
    ck_assert_uint_eq(strlen(svg), len);
    ck_assert_ptr_null(strstr(svg, "<script"));
    ck_assert_ptr_null(strstr(svg, "alert(1)</"));
    ck_assert_ptr_nonnull(strstr(svg, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    ck_assert_ptr_nonnull(strstr(svg, "Bar &amp; &quot;Grill&quot;"));
    ck_assert_ptr_null(strstr(svg, "'n'"));
    ck_assert_ptr_nonnull(strstr(svg, "Week &lt;1&gt;"));
    ck_assert(strncmp(svg, "<svg ", 5) == 0);
    ck_assert(strcmp(svg + len - 6, "</svg>") == 0);
    ck_assert_int_eq(count(svg, "<g class=\"chart-row\">"), 2);
    ck_assert_int_eq(count(svg, "class=\"chart-worked\""), 2);
    ck_assert_int_eq(count(svg, "class=\"chart-overtime\""), 2);
    ck_assert_ptr_nonnull(strstr(svg, "role=\"img\""));
    ck_assert_ptr_nonnull(strstr(svg, "aria-labelledby=\"wk-title wk-desc\""));
    ck_assert_ptr_nonnull(strstr(svg, "30.0 hours worked, 2.0 hours overtime."));
    ck_assert_ptr_null(strstr(svg, "style="));              /* the CSP allows no inline style */
    free(svg);
}
END_TEST

START_TEST(markup_geometry)
{
    /* the longest bar, 37 h, makes an axis of 40 (step 10): 30 h is three
     * quarters of the plot */
    struct chart_bar bars[] = {{"A", 30, 10}, {"B", 37, 0}};
    char want[128];
    char *svg = chart_hours_svg(bars, 2, "t", "c", NULL);
    snprintf(want, sizeof want, "x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"16\"", CHART_LABEL_WIDTH,
             CHART_TOP + 6, CHART_PLOT_WIDTH * 0.75);
    ck_assert_msg(strstr(svg, want) != NULL, "%s not in %s", want, svg);
    snprintf(want, sizeof want, "x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"10\"", CHART_LABEL_WIDTH,
             CHART_TOP + 26, CHART_PLOT_WIDTH * 0.25);
    ck_assert_msg(strstr(svg, want) != NULL, "%s not in svg", want);
    snprintf(want, sizeof want, "viewBox=\"0 0 %d %d\"", CHART_WIDTH, chart_height(2));
    ck_assert_ptr_nonnull(strstr(svg, want));
    ck_assert_int_eq(count(svg, "class=\"chart-tick\""), 5);   /* 0, 10, 20, 30, 40 */
    ck_assert_ptr_nonnull(strstr(svg, ">40 h</text>"));
    /* the second row, without overtime: a bar of no length, no overtime label */
    snprintf(want, sizeof want, "y=\"%d\" width=\"%.1f\" height=\"16\"", CHART_TOP + CHART_ROW + 6,
             CHART_PLOT_WIDTH * 37.0 / 40.0);
    ck_assert_ptr_nonnull(strstr(svg, want));
    snprintf(want, sizeof want, "y=\"%d\" width=\"0.0\" height=\"10\"", CHART_TOP + CHART_ROW + 26);
    ck_assert_ptr_nonnull(strstr(svg, want));
    ck_assert_int_eq(count(svg, "h overtime</text>"), 1);
    free(svg);
}
END_TEST

START_TEST(markup_empty)
{
    char *svg = chart_hours_svg(NULL, 0, "t", "c", NULL);
    ck_assert_ptr_nonnull(strstr(svg, "No department has worked hours in this period."));
    ck_assert_int_eq(count(svg, "<g class=\"chart-row\">"), 0);
    free(svg);
}
END_TEST

/* one rate → its bar's width, the value's text, whether it has a bar */
static const struct {
    double value;
    const char *note;
    double width;            /* of CHART_RATES_PLOT_WIDTH */
    const char *text;
} rate_vec[] = {
    {0.5, NULL, 0.5, ">50.0 %</text>"},
    {1.0, "10 of 10", 1.0, ">100.0 % (10 of 10)</text>"},
    {0.0, "0 of 3", 0.0, ">0.0 % (0 of 3)</text>"},
    {0.6667, "<b>&", 0.6667, ">66.7 % (&lt;b&gt;&amp;)</text>"},
    {1.5, NULL, 1.0, ">150.0 %</text>"},             /* clamped bar, true value */
    {NAN, "x", -1, ">no data</text>"},
};

START_TEST(rates_markup)
{
    struct chart_rate r = {"Rate <i>", rate_vec[_i].value, rate_vec[_i].note};
    char want[128];
    size_t len;
    char *svg = chart_rates_svg(&r, 1, "Rates", "rt", &len);
    ck_assert_uint_eq(strlen(svg), len);
    ck_assert_msg(strstr(svg, rate_vec[_i].text) != NULL, "%s not in %s", rate_vec[_i].text, svg);
    ck_assert_ptr_nonnull(strstr(svg, "Rate &lt;i&gt;"));
    ck_assert_ptr_null(strstr(svg, "<i>"));
    ck_assert_ptr_null(strstr(svg, "<b>"));
    ck_assert_int_eq(count(svg, "class=\"chart-tick\""), 5);   /* 0, 25, 50, 75, 100 % */
    ck_assert_ptr_nonnull(strstr(svg, ">100 %</text>"));
    if (rate_vec[_i].width < 0) {
        ck_assert_int_eq(count(svg, "<rect"), 0);
        ck_assert_ptr_nonnull(strstr(svg, "Rate &lt;i&gt;: no data."));
    } else {
        snprintf(want, sizeof want, "x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"20\"", CHART_LABEL_WIDTH,
                 CHART_TOP + 8, CHART_RATES_PLOT_WIDTH * rate_vec[_i].width);
        ck_assert_msg(strstr(svg, want) != NULL, "%s not in %s", want, svg);
    }
    free(svg);
}
END_TEST

START_TEST(rates_rows)
{
    struct chart_rate rows[] = {{"A", 0.1, NULL}, {"B", NAN, NULL}, {"C", 0.9, "9 of 10"}};
    char *svg = chart_rates_svg(rows, 3, "t", "c", NULL);
    ck_assert_int_eq(count(svg, "<g class=\"chart-row\">"), 3);
    ck_assert_int_eq(count(svg, "<rect"), 2);
    ck_assert_ptr_nonnull(strstr(svg, "A: 10.0 %. B: no data. C: 90.0 % (9 of 10)."));
    free(svg);
    svg = chart_rates_svg(NULL, 0, "t", "c", NULL);
    ck_assert_ptr_nonnull(strstr(svg, "No rates."));
    free(svg);
}
END_TEST

/* ---- a series over time -------------------------------------------------- */

static const struct { double lo, hi, axis_lo, step; int n; } range_vec[] = {
    {20, 45, 20, 5, 5},
    {-40, 125, -50, 50, 4},
    {0, 0, 0, 0.2, 1},
    {41.5, 41.5, 41, 1, 1},
    {NAN, 5, 0, 0.2, 5},          /* not finite: 0..1 */
    {5, 1, 0, 0.2, 5},            /* lo > hi: 0..1 */
    {0, 1000, 0, 200, 5},
    {2040, 2048, 2040, 2, 4},
    {-12.5, -3, -14, 2, 6},       /* the floor below lo adds the sixth step */
};

START_TEST(range)
{
    double lo, step;
    int n;
    chart_range(range_vec[_i].lo, range_vec[_i].hi, &lo, &step, &n);
    ck_assert_msg(fabs(lo - range_vec[_i].axis_lo) < 1e-9 && fabs(step - range_vec[_i].step) < 1e-9 &&
                  n == range_vec[_i].n, "%g..%g: from %g step %g n %d", range_vec[_i].lo, range_vec[_i].hi,
                  lo, step, n);
    ck_assert(n >= 1 && n <= 6);
    if (isfinite(range_vec[_i].lo) && range_vec[_i].lo <= range_vec[_i].hi)
        ck_assert(lo <= range_vec[_i].lo + 1e-9 && lo + step * n >= range_vec[_i].hi - 1e-9);
}
END_TEST

static const struct { double v, lo, hi, want; } y_vec[] = {
    {5, 0, 10, 50}, {0, 0, 10, 100}, {10, 0, 10, 0}, {15, 0, 10, 0}, {-5, 0, 10, 100},
    {-40, -50, 150, 95}, {NAN, 0, 10, 100}, {5, 10, 10, 100}, {INFINITY, 0, 10, 100},
};

START_TEST(series_y)
{
    ck_assert_double_eq_tol(chart_series_y(y_vec[_i].v, y_vec[_i].lo, y_vec[_i].hi, 100), y_vec[_i].want, 1e-9);
}
END_TEST

START_TEST(series_markup)
{
    const double v[] = {20, 21, NAN, 30, 31, 32, NAN, 25};
    size_t len;
    char *svg = chart_series_svg(v, 8, "Temperature <b>", "°C", "2026-01-16 <i>", "10:30", "t", &len);
    ck_assert_uint_eq(strlen(svg), len);
    ck_assert_int_eq(count(svg, "<polyline"), 2);               /* 20-21 and 30-32 */
    ck_assert_int_eq(count(svg, "<circle"), 1);                 /* 25 alone */
    ck_assert_ptr_nonnull(strstr(svg, "Temperature &lt;b&gt;"));
    ck_assert_ptr_nonnull(strstr(svg, "2026-01-16 &lt;i&gt;"));
    ck_assert_ptr_null(strstr(svg, "<b>"));
    ck_assert_ptr_null(strstr(svg, "<i>"));
    ck_assert_ptr_nonnull(strstr(svg, "6 samples: lowest 20 °C, highest 32 °C, last 25 °C."));
    /* the first point at the left edge, the last at the right */
    char want[64];
    snprintf(want, sizeof want, "points=\"%d.0,", CHART_SERIES_LEFT);
    ck_assert_msg(strstr(svg, want) != NULL, "%s not in %s", want, svg);
    snprintf(want, sizeof want, "cx=\"%d.0\"", CHART_SERIES_LEFT + CHART_SERIES_PLOT_WIDTH);
    ck_assert_msg(strstr(svg, want) != NULL, "%s not in %s", want, svg);
    free(svg);
}
END_TEST

START_TEST(series_empty)
{
    const double v[] = {NAN, NAN};
    char *svg = chart_series_svg(v, 2, "t", "MB", NULL, NULL, "s", NULL);
    ck_assert_int_eq(count(svg, "<polyline"), 0);
    ck_assert_int_eq(count(svg, "<circle"), 0);
    ck_assert_ptr_nonnull(strstr(svg, ">No samples.</text>"));
    free(svg);
    svg = chart_series_svg(NULL, 0, "t", "MB", "", "", "s", NULL);
    ck_assert_ptr_nonnull(strstr(svg, "No samples."));
    free(svg);
    const double one[] = {7};
    svg = chart_series_svg(one, 1, "t", "", "a", "a", "s", NULL);
    ck_assert_int_eq(count(svg, "<circle"), 1);
    free(svg);
}
END_TEST

UNIT_SUITE(suite_chart)
{
    Suite *s = suite_create("chart");
    TCase *tc = tcase_create("chart");
    tcase_add_loop_test(tc, axis, 0, NELEM(axis_vec));
    tcase_add_test(tc, axis_not_finite);
    tcase_add_test(tc, bar_lengths);
    tcase_add_test(tc, height);
    tcase_add_test(tc, cut_labels);
    tcase_add_test(tc, markup_escapes_pms_text);
    tcase_add_test(tc, markup_geometry);
    tcase_add_test(tc, markup_empty);
    tcase_add_loop_test(tc, rates_markup, 0, NELEM(rate_vec));
    tcase_add_test(tc, rates_rows);
    tcase_add_loop_test(tc, range, 0, NELEM(range_vec));
    tcase_add_loop_test(tc, series_y, 0, NELEM(y_vec));
    tcase_add_test(tc, series_markup);
    tcase_add_test(tc, series_empty);
    suite_add_tcase(s, tc);
    return s;
}

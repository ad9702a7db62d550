/* chart_rules.h — the dashboard's server-drawn SVG charts: worked hours
 * per department with the overtime among them (one row per department, a
 * bar of worked hours and under it a bar of overtime, on a shared axis of
 * round numbers), and rates as percentages (one bar a row on a 0-100 %
 * axis; the Insights page). Labels come from the PMS, so every text
 * is HTML/XML-escaped (tpl_escape_append). Colours are classes for
 * static/css/app.css, with fill attributes as a fallback (no inline
 * style: the pages' CSP forbids it). Pure. */
#ifndef FC_CHART_H
#define FC_CHART_H

#include <stddef.h>

#define CHART_WIDTH 640
#define CHART_LABEL_WIDTH 170      /* the label column */
#define CHART_RIGHT 70             /* room for the value after the longest bar */
#define CHART_PLOT_WIDTH (CHART_WIDTH - CHART_LABEL_WIDTH - CHART_RIGHT)
#define CHART_TOP 10
#define CHART_ROW 44               /* one department */
#define CHART_AXIS 30              /* tick labels under the rows */
#define CHART_LABEL_CHARS 24       /* longer labels are cut (the full one is the row's title) */

struct chart_bar {
    const char *label;            /* the department's name (any text) */
    double hours;                 /* worked */
    double overtime;              /* of which overtime */
};

/* A round axis for values up to max: the step (1, 2 or 5 times a power of
 * ten) and the number of steps (1 to 5), whose product is the axis's end
 * (>= max). max <= 0 (or not finite) gives a step of 1 and 1 step. */
void chart_axis(double max, double *step, int *nsteps);

/* The length in pixels of a bar for value on an axis ending at axis_max,
 * over width pixels: clamped to [0, width]; 0 for a value that is not
 * finite or an axis_max <= 0. */
double chart_bar_length(double value, double axis_max, double width);

/* The SVG's height for n rows. */
int chart_height(int n);

/* label cut to at most max_chars characters (UTF-8 aware, never inside a
 * character), with "…" when cut, into out (size bytes). */
void chart_cut_label(const char *label, int max_chars, char *out, size_t size);

/* The chart as a standalone <svg> element (role="img", its title and a
 * description of every value for screen readers), ids prefixed with
 * id_prefix (plain [a-z-]). Returns a new NUL-terminated string the
 * caller frees; *len (if not NULL) gets its length. No rows draw a
 * sentence saying so. */
char *chart_hours_svg(const struct chart_bar *bars, int n, const char *title,
                      const char *id_prefix, size_t *len);

/* One rate of a percentage chart: value in [0, 1], or NAN for none. */
struct chart_rate {
    const char *label;
    double value;
    const char *note;             /* after the value, e.g. "12 of 15" (NULL: none) */
};

#define CHART_RATES_PLOT_WIDTH (CHART_PLOT_WIDTH - 110)   /* room for "100.0 % (123 of 456)" */

/* The rates as a standalone <svg> (as chart_hours_svg: role="img", title
 * and description, ids prefixed with id_prefix), one bar a row on a
 * 0-100 % axis; a rate without a value says "no data". */
char *chart_rates_svg(const struct chart_rate *rows, int n, const char *title,
                      const char *id_prefix, size_t *len);

/* ---- a series over time (a device's heartbeat metrics) ---------------- */

#define CHART_SERIES_HEIGHT 180
#define CHART_SERIES_LEFT 70       /* the tick labels' column */
#define CHART_SERIES_PLOT_WIDTH (CHART_WIDTH - CHART_SERIES_LEFT - 20)
#define CHART_SERIES_PLOT_HEIGHT (CHART_SERIES_HEIGHT - CHART_TOP - CHART_AXIS)

/* A round axis covering lo..hi (either may be negative): *axis_lo a
 * multiple of *step at or below lo, and *nsteps (1 to 6) steps from there
 * reaching hi. lo > hi, or either not finite, is the axis 0..1; lo == hi
 * an axis one step wide around the value. */
void chart_range(double lo, double hi, double *axis_lo, double *step, int *nsteps);

/* The y pixel (from the plot's top, height pixels tall) of value on the
 * axis axis_lo..axis_hi: clamped into [0, height]; the bottom for a value
 * that is not finite or an empty axis. */
double chart_series_y(double value, double axis_lo, double axis_hi, double height);

/* n samples (values[i], NAN: not reported, a gap in the line) evenly
 * spaced from the one at first to the one at last (labels under the
 * plot's ends, any text), as a standalone <svg> like the others (role
 * "img", title, a description giving how many samples, the lowest,
 * highest and last value with unit), a polyline per run of reported
 * values (a dot for one alone). A new string the caller frees; *len its length if not NULL. */
char *chart_series_svg(const double *values, int n, const char *title, const char *unit, const char *first,
                       const char *last, const char *id_prefix, size_t *len);

#endif

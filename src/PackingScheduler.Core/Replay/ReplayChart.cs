using System.Globalization;
using System.Text;

namespace PackingScheduler.Core.Replay;

/// <summary>
/// <c>replay --svg FILE</c>: two panels over the measured window, one line per strategy (the
/// bound dashed): 8-core pilots waiting, and cpu utilization. Plain SVG written by hand, so
/// that the chart needs no package and diffs as text.
/// </summary>
public static class ReplayChart
{
    private const int Width = 960;
    private const int PanelHeight = 230;
    private const int Left = 70;
    private const int TitleY = 24;
    private const int Right = 190;
    private const int Top = 62;
    private const int Gap = 60;
    private const int Bottom = 40;

    private static readonly string[] Colours = ["#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2"];

    public static string Render(ReplayReport report, string title)
    {
        var lines = new List<(string Name, TimeSeries Series, string Colour, bool Dashed)>();
        for (int i = 0; i < report.Strategies.Count; i++)
            lines.Add((report.Strategies[i].Name, report.Strategies[i].Series, Colours[i % Colours.Length], false));
        lines.Add(("bound (repacking)", report.Bound.Series, "#555555", true));

        TimeSeries reference = report.Bound.Series;
        double hours = reference.Utilization.Count * reference.BucketSeconds / 3600.0;
        double startHours = reference.Start / 3600.0;
        double maxWaiting = 1;
        foreach (var l in lines)
        {
            foreach (double v in l.Series.WaitingMulticore) maxWaiting = Math.Max(maxWaiting, v);
        }
        maxWaiting = NiceCeiling(maxWaiting);
        // Utilization from the lowest tenth any line reaches, so that the differences show.
        double minUtilization = 1;
        foreach (var l in lines)
        {
            foreach (double v in l.Series.Utilization) minUtilization = Math.Min(minUtilization, v);
        }
        double utilizationFloor = Math.Clamp(Math.Floor(minUtilization * 10) / 10, 0, 0.9);

        int height = Top + 2 * PanelHeight + Gap + Bottom;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{TitleY}\" font-size=\"15\" font-weight=\"bold\">{Escape(title)}</text>\n");

        int plotWidth = Width - Left - Right;
        for (int panel = 0; panel < 2; panel++)
        {
            int y0 = Top + panel * (PanelHeight + Gap);
            bool waiting = panel == 0;
            double yMin = waiting ? 0 : utilizationFloor;
            double yMax = waiting ? maxWaiting : 1.0;
            string label = waiting ? "8-core pilots waiting" : "cpu utilization";
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{y0 - 8}\" font-weight=\"bold\">{label}</text>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{y0}\" width=\"{plotWidth}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#999\"/>\n");
            for (int k = 0; k <= 4; k++)
            {
                double v = yMin + (yMax - yMin) * k / 4;
                double y = y0 + PanelHeight - PanelHeight * k / 4.0;
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{F(y)}\" x2=\"{Left + plotWidth}\" y2=\"{F(y)}\" stroke=\"#eee\"/>\n");
                string text = waiting ? v.ToString("0.#", CultureInfo.InvariantCulture) : (v * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{F(y + 4)}\" text-anchor=\"end\">{text}</text>\n");
            }
            double step = HourStep(hours);
            for (double h = Math.Ceiling(startHours / step) * step; h <= startHours + hours + 1e-9; h += step)
            {
                double x = Left + plotWidth * (h - startHours) / hours;
                svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(x)}\" y1=\"{y0 + PanelHeight}\" x2=\"{F(x)}\" y2=\"{y0 + PanelHeight + 4}\" stroke=\"#999\"/>\n");
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x)}\" y=\"{y0 + PanelHeight + 17}\" text-anchor=\"middle\">{h.ToString("0", CultureInfo.InvariantCulture)}h</text>\n");
            }
            foreach (var l in lines)
            {
                IReadOnlyList<double> values = waiting ? l.Series.WaitingMulticore : l.Series.Utilization;
                var points = new StringBuilder();
                for (int b = 0; b < values.Count; b++)
                {
                    // Each bucket's average is drawn at the bucket's middle.
                    double t = (b + 0.5) * l.Series.BucketSeconds / 3600.0;
                    double x = Left + plotWidth * t / hours;
                    double y = y0 + PanelHeight - PanelHeight * (Math.Clamp(values[b], yMin, yMax) - yMin) / (yMax - yMin);
                    points.Append(F(x)).Append(',').Append(F(y)).Append(' ');
                }
                string dash = l.Dashed ? " stroke-dasharray=\"5,3\"" : "";
                svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{l.Colour}\" stroke-width=\"1.5\"{dash} points=\"{points.ToString().TrimEnd()}\"/>\n");
            }
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left + plotWidth / 2}\" y=\"{height - 8}\" text-anchor=\"middle\">hours of trace time (the measured window; bucket averages)</text>\n");
        for (int i = 0; i < lines.Count; i++)
        {
            int y = Top + 10 + i * 20;
            int x = Left + plotWidth + 15;
            string dash = lines[i].Dashed ? " stroke-dasharray=\"5,3\"" : "";
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x}\" y1=\"{y}\" x2=\"{x + 24}\" y2=\"{y}\" stroke=\"{lines[i].Colour}\" stroke-width=\"2\"{dash}/>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + 30}\" y=\"{y + 4}\">{Escape(lines[i].Name)}</text>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static double NiceCeiling(double v)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (double m in new[] { 1.0, 2.0, 2.5, 5.0, 10.0 })
        {
            if (v <= m * magnitude) return m * magnitude;
        }
        return 10 * magnitude;
    }

    private static double HourStep(double hours) => hours switch
    {
        <= 6 => 1,
        <= 24 => 3,
        <= 72 => 6,
        <= 168 => 12,
        _ => 24,
    };

    private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
}

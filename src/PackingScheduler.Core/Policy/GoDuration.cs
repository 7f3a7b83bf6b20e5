using System.Globalization;

namespace PackingScheduler.Core.Policy;

/// <summary>Go's time.ParseDuration, which metav1.Duration fields ("15s", "1m30s", "1.5h") use.</summary>
public static class GoDuration
{
    private static readonly (string Unit, double Ticks)[] Units =
    [
        ("ns", 0.01), ("us", 10), ("µs", 10), ("μs", 10), ("ms", TimeSpan.TicksPerMillisecond),
        ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour),
    ];

    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        int i = 0;
        bool negative = false;
        if (i < text.Length && (text[i] == '-' || text[i] == '+'))
        {
            negative = text[i] == '-';
            i++;
        }
        if (text[i..] == "0") return true;
        if (i == text.Length) return false;
        double ticks = 0;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.')) i++;
            if (i == start || !double.TryParse(text[start..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
                return false;
            int unitStart = i;
            while (i < text.Length && !char.IsAsciiDigit(text[i]) && text[i] != '.') i++;
            string unit = text[unitStart..i];
            int found = Array.FindIndex(Units, u => u.Unit == unit);
            if (found < 0) return false;
            ticks += number * Units[found].Ticks;
        }
        if (ticks > TimeSpan.MaxValue.Ticks) return false;
        duration = TimeSpan.FromTicks((long)Math.Round(negative ? -ticks : ticks));
        return true;
    }
}

using PackingScheduler.Core.Model;

namespace PackingScheduler.Core.Tests.Model;

/// <summary>
/// Quantity parsing against apimachinery's resource.Quantity: decimal and binary suffixes, e/E
/// exponents, and rounding up to whole milli-units (MilliValue) or units (Value).
/// </summary>
public class QuantityTests
{
    [Theory]
    [InlineData("100m", 100)]
    [InlineData("0.5", 500)]
    [InlineData("1", 1000)]
    [InlineData("1.5", 1500)]
    [InlineData(".5", 500)]
    [InlineData("1.", 1000)]
    [InlineData("+1", 1000)]
    [InlineData("0", 0)]
    [InlineData("1k", 1_000_000)]
    [InlineData("1e3", 1_000_000)]
    [InlineData("1E3", 1_000_000)]
    [InlineData("1e+3", 1_000_000)]
    [InlineData("2E-3", 2)]
    [InlineData("2e-3", 2)]
    [InlineData("0.0001", 1)]      // MilliValue rounds up: 0.1m -> 1m
    [InlineData("0.1m", 1)]
    [InlineData("1.0000000001m", 2)]
    [InlineData("1n", 1)]
    [InlineData("1u", 1)]
    [InlineData("1000u", 1)]
    [InlineData("1001u", 2)]
    [InlineData("1Ki", 1_024_000)]
    public void Milli_value_is_exact_and_rounds_up(string text, long expected)
    {
        Assert.True(Quantity.TryParseMilli(text, out long milli, out string error), error);
        Assert.Equal(expected, milli);
    }

    [Theory]
    [InlineData("1Ki", 1024)]
    [InlineData("1Mi", 1_048_576)]
    [InlineData("123Mi", 128_974_848)]
    [InlineData("128974848", 128_974_848)]
    [InlineData("129M", 129_000_000)]
    [InlineData("129e6", 129_000_000)]
    [InlineData("1.5Gi", 1_610_612_736)]
    [InlineData("1Ti", 1_099_511_627_776)]
    [InlineData("1Pi", 1_125_899_906_842_624)]
    [InlineData("1Ei", 1_152_921_504_606_846_976)]
    [InlineData("7Ei", 8_070_450_532_247_928_832)]
    [InlineData("1E", 1_000_000_000_000_000_000)]
    [InlineData("1e18", 1_000_000_000_000_000_000)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("1e3", 1000)]
    [InlineData("0.5", 1)]          // Value rounds up
    [InlineData("2E-3", 1)]
    [InlineData("1.1Ki", 1127)]     // 1126.4 -> 1127
    [InlineData("100m", 1)]
    [InlineData("0", 0)]
    public void Value_is_exact_and_rounds_up(string text, long expected)
    {
        Assert.True(Quantity.TryParseValue(text, out long value, out string error), error);
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData(null, "empty")]
    [InlineData("-1", "negative")]
    [InlineData("-100m", "negative")]
    [InlineData("abc", "does not start with a number")]
    [InlineData(" 1", "does not start with a number")]
    // apimachinery reads a bare suffix, ".", or a bare sign as zero; KubernetesClient's ResourceQuantity
    // refuses them before they reach us, and so do we.
    [InlineData("Ki", "does not start with a number")]
    [InlineData("m", "does not start with a number")]
    [InlineData(".", "does not start with a number")]
    [InlineData("+", "does not start with a number")]
    [InlineData("1 ", "unknown suffix")]
    [InlineData("1.5.5", "unknown suffix")]
    [InlineData("1Gb", "unknown suffix")]
    [InlineData("1KI", "unknown suffix")]
    [InlineData("1K", "unknown suffix")]    // decimal kilo is lower-case k
    [InlineData("1e", "unknown suffix")]    // an exponent needs digits; "1E" alone is exa
    [InlineData("1e1.5", "unknown suffix")]
    [InlineData("1e999999999", "exponent out of range")]
    [InlineData("9999999999999999999999Ei", "too large")]
    [InlineData("8Ei", "too large")]
    [InlineData("9223372036854775808", "too large")]
    [InlineData("1e19", "too large")]
    public void Invalid_or_unrepresentable_quantities_are_errors(string? text, string fragment)
    {
        Assert.False(Quantity.TryParseValue(text, out _, out string error));
        Assert.Contains(fragment, error);
    }

    [Theory]
    [InlineData("9223372036854775807")]   // fits as a value, not as milli-units
    [InlineData("1E")]
    public void Milli_value_overflow_is_an_error(string text)
    {
        Assert.True(Quantity.TryParseValue(text, out _, out _));
        Assert.False(Quantity.TryParseMilli(text, out _, out string error));
        Assert.Contains("too large", error);
    }
}

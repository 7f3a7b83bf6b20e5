using System.Globalization;
using System.Numerics;

namespace PackingScheduler.Core.Model;

/// <summary>
/// Parses Kubernetes resource quantities ("100m", "1.5Gi", "2e3", "8") exactly, as the API
/// machinery does: the value is a decimal number times a binary (Ki..Ei) or decimal (n..E)
/// suffix or a decimal exponent; conversions to integers round up, like Quantity.MilliValue()
/// and Quantity.Value().
/// </summary>
public static class Quantity
{
    // Bounds the exponent so that a hostile "1e999999999" cannot make us build a huge number.
    private const int MaxExponent = 64;

    // Bounds the length too: the digits are accumulated one by one (quadratic), and 200000 of them took seconds.
    private const int MaxLength = 1000;

    public static bool TryParse(string? text, out BigRational value, out string error)
    {
        value = default;
        if (string.IsNullOrEmpty(text))
        {
            error = "quantity is empty";
            return false;
        }
        if (text.Length > MaxLength)
        {
            error = $"quantity '{text[..20]}...' is too long ({text.Length} characters; a quantity has at most {MaxLength})";
            return false;
        }
        ReadOnlySpan<char> s = text.AsSpan();
        int i = 0;
        bool negative = false;
        if (s[0] is '+' or '-')
        {
            negative = s[0] == '-';
            i++;
        }
        BigInteger mantissa = BigInteger.Zero;
        int fractionDigits = 0;
        int digits = 0;
        bool seenPoint = false;
        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (c is >= '0' and <= '9')
            {
                mantissa = mantissa * 10 + (c - '0');
                digits++;
                if (seenPoint) fractionDigits++;
            }
            else if (c == '.' && !seenPoint)
            {
                seenPoint = true;
            }
            else break;
        }
        if (digits == 0)
        {
            error = $"quantity '{text}' does not start with a number";
            return false;
        }
        ReadOnlySpan<char> suffix = s[i..];
        BigInteger numerator = negative ? -mantissa : mantissa;
        BigInteger denominator = BigInteger.Pow(10, fractionDigits);
        switch (suffix)
        {
            case "": break;
            case "Ki": numerator <<= 10; break;
            case "Mi": numerator <<= 20; break;
            case "Gi": numerator <<= 30; break;
            case "Ti": numerator <<= 40; break;
            case "Pi": numerator <<= 50; break;
            case "Ei": numerator <<= 60; break;
            case "n": denominator *= BigInteger.Pow(10, 9); break;
            case "u": denominator *= BigInteger.Pow(10, 6); break;
            case "m": denominator *= 1000; break;
            case "k": numerator *= BigInteger.Pow(10, 3); break;
            case "M": numerator *= BigInteger.Pow(10, 6); break;
            case "G": numerator *= BigInteger.Pow(10, 9); break;
            case "T": numerator *= BigInteger.Pow(10, 12); break;
            case "P": numerator *= BigInteger.Pow(10, 15); break;
            case "E": numerator *= BigInteger.Pow(10, 18); break;
            default:
                if (suffix[0] is 'e' or 'E' && int.TryParse(suffix[1..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int exp))
                {
                    if (Math.Abs(exp) > MaxExponent)
                    {
                        error = $"quantity '{text}' has an exponent out of range";
                        return false;
                    }
                    if (exp >= 0) numerator *= BigInteger.Pow(10, exp);
                    else denominator *= BigInteger.Pow(10, -exp);
                    break;
                }
                error = $"quantity '{text}' has an unknown suffix '{suffix.ToString()}' (expected one of n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei or an exponent)";
                return false;
        }
        value = new BigRational(numerator, denominator);
        error = string.Empty;
        return true;
    }

    /// <summary>Millicores (or milli-units), rounded up, as Quantity.MilliValue().</summary>
    public static bool TryParseMilli(string? text, out long milli, out string error)
    {
        milli = 0;
        if (!TryParse(text, out BigRational v, out error))
            return false;
        return ToInt64Checked(text!, v.Numerator.Sign < 0, v.CeilingTimes(1000), out milli, out error);
    }

    /// <summary>Whole units (bytes, counts), rounded up, as Quantity.Value().</summary>
    public static bool TryParseValue(string? text, out long value, out string error)
    {
        value = 0;
        if (!TryParse(text, out BigRational v, out error))
            return false;
        return ToInt64Checked(text!, v.Numerator.Sign < 0, v.CeilingTimes(1), out value, out error);
    }

    // The sign is that of the exact value: "-100m" rounds up to 0 bytes but is still negative.
    private static bool ToInt64Checked(string text, bool negative, BigInteger v, out long result, out string error)
    {
        if (negative)
        {
            result = 0;
            error = $"quantity '{text}' is negative";
            return false;
        }
        if (v > long.MaxValue)
        {
            result = 0;
            error = $"quantity '{text}' is too large";
            return false;
        }
        result = (long)v;
        error = string.Empty;
        return true;
    }
}

/// <summary>An exact fraction, only what quantity parsing needs.</summary>
public readonly record struct BigRational(BigInteger Numerator, BigInteger Denominator)
{
    public BigInteger CeilingTimes(long factor)
    {
        BigInteger n = Numerator * factor;
        BigInteger q = BigInteger.DivRem(n, Denominator, out BigInteger r);
        return r > 0 ? q + 1 : q;
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;
using k8s;
using k8s.Models;
using PackingScheduler.Core.Model;

namespace PackingScheduler.Kubernetes;

/// <summary>
/// Reads resource quantities so that one bad quantity cannot hide or hang the scheduler.
/// KubernetesClient's own reader throws on a malformed quantity ("abc", "1Zi", a JSON object),
/// which makes the watch drop the pod silently and makes every list of pods fail (the informer
/// never syncs again); and it spins for minutes on a huge exponent ("1e999999"). With this reader
/// a quantity our parser accepts is read as before; any other is kept as its text, so the
/// translator reports the pod unschedulable naming the field. Install before any KubernetesJson
/// use (KubernetesJson's options freeze on first use).
/// </summary>
public static class TolerantQuantityJson
{
    /// <summary>Adds the reader to KubernetesJson's options; false when they were already in use without it.</summary>
    public static bool Install()
    {
        bool installed = false;
        KubernetesJson.AddJsonOptions(options =>
        {
            if (options.Converters.Any(c => c is Converter))
            {
                installed = true;
            }
            else if (!options.IsReadOnly)
            {
                options.Converters.Insert(0, new Converter());
                installed = true;
            }
        });
        return installed;
    }

    /// <summary>A quantity that does not parse, kept as written; ToString gives the text back.</summary>
    private sealed class UnparsedQuantity(string text) : ResourceQuantity("0")
    {
        public override string ToString() => text;

        public override bool Equals(object? obj) => obj is UnparsedQuantity other && other.ToString() == text;

        public override int GetHashCode() => text.GetHashCode(StringComparison.Ordinal);
    }

    private sealed class Converter : JsonConverter<ResourceQuantity>
    {
        public override ResourceQuantity Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            string text;
            if (reader.TokenType == JsonTokenType.String)
            {
                text = reader.GetString() ?? string.Empty;
            }
            else
            {
                // A number as written, or whatever else stands there (true, {}, []), as its JSON text.
                using JsonDocument value = JsonDocument.ParseValue(ref reader);
                text = value.RootElement.GetRawText();
            }
            if (!Quantity.TryParse(text, out _, out _)) return new UnparsedQuantity(text);
            try
            {
                return new ResourceQuantity(text);
            }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
            {
                return new UnparsedQuantity(text);
            }
        }

        public override void Write(Utf8JsonWriter writer, ResourceQuantity value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString());
    }
}

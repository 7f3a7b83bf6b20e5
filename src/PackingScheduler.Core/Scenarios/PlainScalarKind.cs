namespace PackingScheduler.Core.Scenarios;

/// <summary>What kubectl's YAML reader takes an unquoted scalar to be.</summary>
internal enum PlainScalarKind
{
    String,
    Null,
    Bool,
    Int,
    Float,
}

using ScaleLab.Core;

namespace ScaleLab.Experiments.Store;

/// <summary>A results store that cannot be used (newer schema, not a ScaleLab database); the message names the file.</summary>
public sealed class StoreException : ScaleLabException
{
    public StoreException() { }

    public StoreException(string message) : base(message) { }

    public StoreException(string message, Exception inner) : base(message, inner) { }
}

using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ScaleLab.Core;

/// <summary>
/// Input text that is what it claims: File.ReadAllText turns invalid UTF-8 into U+FFFD without a word, so a corrupt
/// spec would be read as a different one. (A key given twice in one object, the other thing JSON readers disagree
/// on, is refused by the parsers themselves: JsonDocumentOptions/JsonSerializerOptions.AllowDuplicateProperties = false.)
/// </summary>
public static class StrictText
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>A regular file's text, refusing invalid UTF-8 with the byte offset of the first bad sequence.</summary>
    public static string ReadText(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        InputFile.RequireRegular(path);
        byte[] bytes = File.ReadAllBytes(path);
        return Decode(bytes, path);
    }

    public static string Decode(byte[] bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            var text = Utf8.GetString(bytes);
            return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;   // a byte-order mark is allowed, not kept
        }
        catch (DecoderFallbackException ex)
        {
            throw new ScaleLabException(string.Create(CultureInfo.InvariantCulture,
                $"{source}: is not valid UTF-8 (first bad byte at offset {ex.Index}); save it as UTF-8"));
        }
    }
}

namespace Stlp.Model

open System
open System.Buffers.Binary
open System.IO
open System.IO.Compression

/// The IDX format of MNIST and Fashion-MNIST, read as a `DataTable`: an IDX3 unsigned-byte image
/// file (magic 0x00000803, then the image count, rows and columns as big-endian 32-bit integers,
/// then the pixels row by row) and an IDX1 unsigned-byte label file (magic 0x00000801, the count,
/// then one byte a label). Either may be gzip'd (recognized by its first bytes, 1f 8b) or plain.
module IdxReader =
    [<Literal>]
    let ImagesMagic = 0x00000803

    [<Literal>]
    let LabelsMagic = 0x00000801

    /// The decompressed bytes of a file, at most `count` of them; grows with what the stream
    /// really holds, so a header that claims more than the file has costs nothing.
    let private readUpTo (stream: Stream) (count: int64) : byte[] =
        use buffer = new MemoryStream()
        let chunk = Array.zeroCreate<byte> 65536
        let mutable left = count
        let mutable ended = false

        while not ended && left > 0L do
            let n = stream.Read(chunk, 0, int (min left chunk.LongLength))

            if n = 0 then
                ended <- true
            else
                buffer.Write(chunk, 0, n)
                left <- left - int64 n

        buffer.ToArray()

    let private hex (v: int) = "0x" + v.ToString("X8")

    /// Reads one IDX file with `read`, which gets the open (decompressed) stream. A file that
    /// cannot be opened, or whose gzip stream is corrupt, is an error naming it.
    let private withFile (path: string) (shown: string) (fail: string -> exn) (read: Stream -> 'a) : 'a =
        let file =
            try
                File.OpenRead path
            with e ->
                let hint =
                    if shown.Contains("fashion", StringComparison.OrdinalIgnoreCase) then
                        " (Fashion-MNIST: see samples/data/fashion/README.md)"
                    else
                        ""

                raise (fail $"cannot read {shown}: {e.Message}{hint}")

        use file = file

        try
            let b0 = file.ReadByte()
            let b1 = file.ReadByte()
            file.Position <- 0L

            if b0 = 0x1f && b1 = 0x8b then
                use gzip = new GZipStream(file, CompressionMode.Decompress)
                read gzip
            else
                read file
        with
        | :? InvalidDataException as e -> raise (fail $"{shown}: not a valid gzip file: {e.Message}")
        | :? IOException as e -> raise (fail $"cannot read {shown}: {e.Message}")

    /// The next `words` big-endian integers of the header, of which `before` bytes were read
    /// and which has `total`; an error when the file ends inside it.
    let private header (stream: Stream) (shown: string) (before: int) (words: int) (total: int) (fail: string -> exn) =
        let bytes = readUpTo stream (int64 (4 * words))

        if bytes.Length < 4 * words then
            raise (fail $"{shown}: truncated: {before + bytes.Length} bytes, where the IDX header alone has {total}")

        Array.init words (fun i -> BinaryPrimitives.ReadInt32BigEndian(ReadOnlySpan(bytes, 4 * i, 4)))

    /// Exactly `count` bytes of a file's body, then its end: a shorter file is truncated, a
    /// longer one has bytes the header does not account for.
    let private body (stream: Stream) (shown: string) (count: int64) (what: string) (fail: string -> exn) =
        if count > int64 Array.MaxLength then
            raise (fail $"{shown}: {what} would need {count} bytes, more than one array can hold")

        let bytes = readUpTo stream count

        if int64 bytes.Length < count then
            raise (fail $"{shown}: truncated: {what} need {count} bytes after the header, the file has {bytes.Length}")

        if stream.ReadByte() >= 0 then
            raise (fail $"{shown}: bytes after the end of {what} (the header's count is too small?)")

        bytes

    let private readImages (path: string) (shown: string) (fail: string -> exn) =
        withFile path shown fail (fun stream ->
            let magic = (header stream shown 0 1 16 fail).[0]

            if magic <> ImagesMagic then
                let what =
                    if magic = LabelsMagic then
                        "an IDX1 label file"
                    else
                        "not an IDX3 ubyte image file"

                raise (fail $"{shown}: {what} (magic {hex magic}, where images have {hex ImagesMagic})")

            let h = header stream shown 4 3 16 fail
            let count, rows, columns = h.[0], h.[1], h.[2]

            if count < 1 || rows < 1 || columns < 1 then
                raise (fail $"{shown}: bad dimensions: {count} images of {rows}x{columns} pixels")

            let pixels = int64 rows * int64 columns

            if pixels > int64 Array.MaxLength then
                raise (fail $"{shown}: bad dimensions: images of {rows}x{columns} pixels")

            let what = $"{count} images of {rows}x{columns} pixels"
            let bytes = body stream shown (int64 count * pixels) what fail
            count, rows, columns, bytes)

    let private readLabels (path: string) (shown: string) (fail: string -> exn) =
        withFile path shown fail (fun stream ->
            let magic = (header stream shown 0 1 8 fail).[0]

            if magic <> LabelsMagic then
                let what =
                    if magic = ImagesMagic then
                        "an IDX3 image file"
                    else
                        "not an IDX1 ubyte label file"

                raise (fail $"{shown}: {what} (magic {hex magic}, where labels have {hex LabelsMagic})")

            let count = (header stream shown 4 1 8 fail).[0]

            if count < 1 then
                raise (fail $"{shown}: bad dimensions: {count} labels")

            body stream shown (int64 count) $"{count} labels" fail)

    /// Reads an image file and its label file (paths as written in the model, found through
    /// `resolve`). Features are the pixels scaled to [0, 1] (byte / 255), named `p1..pN` (row by
    /// row); the labels are the class bytes as decimal strings ("0".."9"), the target column
    /// `label`. `fail` raises the caller's located error; every message names the file.
    let read (images: string) (labels: string) (resolve: string -> string) (fail: string -> exn) : DataTable =
        let count, rows, columns, pixels = readImages (resolve images) images fail
        let classes = readLabels (resolve labels) labels fail

        if classes.Length <> count then
            raise (fail $"{images} has {count} images but {labels} has {classes.Length} labels")

        let size = rows * columns
        let names = Array.init size (fun i -> $"p{i + 1}")
        let labelText = Array.init 256 string

        {
            Path = resolve images
            Header = Array.append names [| "label" |]
            TargetIndex = size
            FeatureNames = names
            Features = Array.init count (fun r -> Array.init size (fun i -> float pixels.[r * size + i] / 255.0))
            Labels = classes |> Array.map (fun b -> labelText.[int b])
        }

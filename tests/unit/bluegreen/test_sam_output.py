"""What the operator sees of SAM's output: one line per uploaded artifact, no redraws, no blank runs."""

from __future__ import annotations

import sys

from bluegreen.sam import SamOutput, UploadProgressFilter, run_streaming


def redraws(key: str, total: int, chunk: int = 262144) -> list[str]:
    """SAM's in-place progress of one upload, as lines once carriage returns end them."""
    done, lines = 0, []
    while done < total:
        done = min(done + chunk, total)
        lines.append(f"\tUploading to {key}  {done} / {total}  ({done / total * 100:.2f}%)")
    return lines


def shown(lines: list[str]) -> list[str]:
    seen: list[str] = []
    output = SamOutput(seen.append)
    for line in lines:
        output(line)
    output.close()
    return seen


def test_each_uploaded_artifact_shows_one_line_with_its_size() -> None:
    # GIVEN SAM uploading a 3.6 MB bundle (14 redraws) and a template (one), then going on
    lines = [
        *redraws("petstore-blue/378c30a4", 3585856),
        "",
        "\tDeploying with following values",
        *redraws("petstore-blue/47e92f52.template", 15677),
        "Waiting for changeset to be created..",
    ]
    # WHEN filtered THEN each artifact is one line, everything else is kept in order
    assert shown(lines) == [
        "\tUploaded petstore-blue/378c30a4 (3.6 MB)",
        "",
        "\tDeploying with following values",
        "\tUploaded petstore-blue/47e92f52.template (15.7 kB)",
        "Waiting for changeset to be created..",
    ]


def test_an_upload_cut_short_shows_where_it_stopped_before_the_error() -> None:
    lines = [*redraws("petstore-blue/abc", 3585856)[:3], "Error: Unable to upload artifact: timed out"]
    assert shown(lines) == [
        "\tUploading to petstore-blue/abc  786432 / 3585856  (21.93%)",
        "Error: Unable to upload artifact: timed out",
    ]


def test_an_upload_still_unfinished_when_sam_exits_is_shown_on_close() -> None:
    seen: list[str] = []
    uploads = UploadProgressFilter(seen.append)
    for line in redraws("petstore-blue/abc", 1000, chunk=400)[:2]:
        uploads(line)
    assert seen == []
    uploads.close()
    assert seen == ["\tUploading to petstore-blue/abc  800 / 1000  (80.00%)"]


def test_a_skipped_upload_passes_as_sam_says_it() -> None:
    line = "\tFile with same data already exists at petstore-blue/378c30a4, skipping upload"
    assert shown(["", line, "", "", "", ""]) == [line, ""]


def test_runs_of_blank_lines_become_one_and_the_hint_block_is_dropped() -> None:
    lines = ["", "", "Build Succeeded", "", "", "", "Commands you can use next", "=====", "[*] sam local", ""]
    assert shown(lines) == ["Build Succeeded", ""]


def test_carriage_return_redraws_of_a_real_process_arrive_as_one_line() -> None:
    # GIVEN a process that redraws its progress in place the way SAM's uploader does (on stderr)
    script = (
        "import sys\n"
        "for done in (400, 800, 1000):\n"
        "    sys.stderr.write(f'\\r\\tUploading to k  {done} / 1000  ({done / 10:.2f}%)')\n"
        "    sys.stderr.flush()\n"
        "sys.stderr.write('\\n'); print('done')\n"
    )
    seen: list[str] = []
    output = SamOutput(seen.append)
    # WHEN streamed through the filter THEN one line for the artifact, then the rest
    code, _ = run_streaming([sys.executable, "-c", script], output)
    output.close()
    assert code == 0
    assert seen == ["\tUploaded k (1.0 kB)", "done"]

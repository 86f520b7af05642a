# 在 Windows 上一条命令构建安装程序 dist\villagedesk-<版本>-setup.exe：
#   powershell -NoProfile -ExecutionPolicy Bypass -File installers\windows\build.ps1
# 需要：64 位 Python 3.11+（python.org 安装包，或用 -Python 指定），Inno Setup 6.3+（winget install JRSoftware.InnoSetup）。
# 本文件以 UTF-8 BOM 保存：Windows PowerShell 5.1 读取无 BOM 的文件时按 ANSI 解码，中文会乱码。
[CmdletBinding()]
param(
    [string]$Python = "python",   # 用来创建虚拟环境的 Python，例如 "py" 不行时写完整路径
    [string]$Venv = ".venv-win",  # 构建用的虚拟环境（与 Linux 的 .venv 分开）
    [string]$Iscc = ""            # ISCC.exe 的完整路径；留空则自动查找
)

$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

function Invoke-Native {
    # 运行外部程序；退出码不为 0 时停止（PowerShell 不会自动这样做）。
    param([Parameter(Mandatory)][string]$Exe, [string[]]$Arguments = @())
    & $Exe @Arguments
    if ($LASTEXITCODE -ne 0) { throw "命令失败（退出码 $($LASTEXITCODE)）：$Exe $($Arguments -join ' ')" }
}

$Root = (Resolve-Path (Join-Path $PSScriptRoot "..\..")).Path
Set-Location $Root

# 1. 虚拟环境与依赖（.[build] 带 PyInstaller，.[postgres] 让乡镇服务器版可用 PostgreSQL）
$VenvPython = Join-Path $Root "$Venv\Scripts\python.exe"
if (-not (Test-Path $VenvPython)) {
    Write-Host "== 创建虚拟环境 $Venv"
    & $Python -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) and sys.maxsize > 2**32 else 1)"
    if ($LASTEXITCODE -ne 0) { throw "需要 64 位 Python 3.11 或更新版本（当前：${Python}）；可用 -Python 指定 python.exe 的完整路径" }
    Invoke-Native $Python @("-m", "venv", $Venv)
}
Write-Host "== 安装依赖"
Invoke-Native $VenvPython @("-m", "pip", "install", "--quiet", "--upgrade", "pip")
Invoke-Native $VenvPython @("-m", "pip", "install", "--quiet", ".[build,postgres]")

# 2. 版本号只有一个来源：pyproject.toml
$Version = (& $VenvPython -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['version'])").Trim()
if ($LASTEXITCODE -ne 0 -or -not $Version) { throw "无法从 pyproject.toml 读出版本号" }
Write-Host "== 村级党建工作台 $Version"

# 3. PyInstaller 单文件夹构建 -> dist\villagedesk\
Write-Host "== PyInstaller"
Invoke-Native $VenvPython @("-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
    "--distpath", "dist", "--workpath", "build\pyinstaller", "installers\villagedesk.spec")
$Bundle = Join-Path $Root "dist\villagedesk"
$Shown = (& (Join-Path $Bundle "villagedesk-cli.exe") --version | Out-String).Trim()
if ($LASTEXITCODE -ne 0 -or $Shown -notlike "*$Version*") { throw "打包后的程序版本不对：'${Shown}'，应为 ${Version}" }
Write-Host "   ${Shown}，文件夹大小 $([math]::Round((Get-ChildItem $Bundle -Recurse -File | Measure-Object Length -Sum).Sum / 1MB)) MB"

# 4. 找到 Inno Setup 编译器
if (-not $Iscc) {
    $found = Get-Command "ISCC.exe" -ErrorAction SilentlyContinue
    $candidates = @()
    if ($found) { $candidates += $found.Source }
    foreach ($base in @(${env:ProgramFiles(x86)}, $env:ProgramFiles, (Join-Path $env:LOCALAPPDATA "Programs"))) {
        if ($base) { $candidates += (Join-Path $base "Inno Setup 6\ISCC.exe") }
    }
    $Iscc = $candidates | Where-Object { Test-Path $_ } | Select-Object -First 1
}
if (-not $Iscc -or -not (Test-Path $Iscc)) {
    throw "找不到 Inno Setup 6 的 ISCC.exe。请安装（winget install JRSoftware.InnoSetup），或用 -Iscc 指定路径。"
}

# 5. 中文向导文字：较早的 Inno Setup 只把简体中文作为非官方翻译提供，编译器目录里没有时下载到脚本旁边。
$IssDir = Join-Path $Root "installers\windows"
$LocalIsl = Join-Path $IssDir "ChineseSimplified.isl"
$CompilerIsl = Join-Path (Split-Path $Iscc) "Languages\ChineseSimplified.isl"
if (-not (Test-Path $CompilerIsl) -and -not (Test-Path $LocalIsl)) {
    Write-Host "== 下载简体中文语言文件 ChineseSimplified.isl"
    [Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12
    $urls = @(
        "https://raw.githubusercontent.com/jrsoftware/issrc/main/Files/Languages/Unofficial/ChineseSimplified.isl",
        "https://raw.githubusercontent.com/jrsoftware/issrc/main/Files/Languages/ChineseSimplified.isl"
    )
    foreach ($url in $urls) {
        try { Invoke-WebRequest -UseBasicParsing -Uri $url -OutFile $LocalIsl; break }
        catch { Write-Host "   $url 不可用" }
    }
    if (-not (Test-Path $LocalIsl)) {
        throw "无法下载 ChineseSimplified.isl。请从 https://jrsoftware.org/files/istrans/ 手动下载，放到 ${IssDir}"
    }
}

# 6. 编译安装程序 -> dist\villagedesk-<版本>-setup.exe
Write-Host "== Inno Setup"
Invoke-Native $Iscc @("/Q", "/DAppVersion=$Version", (Join-Path $IssDir "villagedesk.iss"))
$Setup = Join-Path $Root "dist\villagedesk-$Version-setup.exe"
if (-not (Test-Path $Setup)) { throw "没有生成 ${Setup}" }
Write-Host "== 完成：${Setup}（$([math]::Round((Get-Item $Setup).Length / 1MB)) MB）"

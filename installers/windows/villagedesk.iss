; Inno Setup 6 (6.3 or newer) script for VillageDesk (村级党建工作台).
; Build with installers\windows\build.ps1, which runs PyInstaller first and passes the version:
;   ISCC.exe /DAppVersion=0.1.0 installers\windows\villagedesk.iss
; Saved as UTF-8 with a byte-order mark: Inno Setup reads a file without one in the ANSI code page.
;
; Per-user install by default (no administrator needed): %LOCALAPPDATA%\Programs\村级党建工作台.
; The user's data (database, backups, logs) lives in %LOCALAPPDATA%\VillageDesk, outside the program
; folder. The uninstaller removes only the files this installer put there: there are no
; [UninstallDelete] entries, so the data folder is never deleted.

#ifndef AppVersion
  #error 缺少版本号：请用 installers\windows\build.ps1 构建，或在 ISCC 命令行加 /DAppVersion=x.y.z
#endif
#if Ver < EncodeVer(6, 3, 0)
  #error 需要 Inno Setup 6.3 或更新版本
#endif

#define AppName "村级党建工作台"
#define AppExe "villagedesk.exe"
#ifndef BundleDir
  #define BundleDir "..\..\dist\villagedesk"
#endif

; Chinese Simplified wizard texts. Inno Setup ships ChineseSimplified.isl only as an unofficial
; translation in older releases (jrsoftware.org/files/istrans/); build.ps1 downloads it next to this
; script when the compiler's Languages folder does not have it.
#if FileExists(CompilerPath + "Languages\ChineseSimplified.isl")
  #define ChineseIsl "compiler:Languages\ChineseSimplified.isl"
#elif FileExists(AddBackslash(SourcePath) + "ChineseSimplified.isl")
  #define ChineseIsl AddBackslash(SourcePath) + "ChineseSimplified.isl"
#else
  #error 找不到 ChineseSimplified.isl：请运行 build.ps1（会自动下载），或从 https://jrsoftware.org/files/istrans/ 下载后放到本脚本旁边
#endif

[Setup]
AppId={{D7ED4DBE-87B9-4549-BCF3-BFC78F6AE987}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=VillageDesk
DefaultDirName={autopf}\{#AppName}
DisableProgramGroupPage=yes
DisableWelcomePage=no
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
; Qt 6 and Python 3.11 need 64-bit Windows 10 (1809) or newer.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0.17763
OutputDir=..\..\dist
OutputBaseFilename=villagedesk-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\villagedesk.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
ShowLanguageDialog=no
CloseApplications=yes

[Languages]
Name: "chs"; MessagesFile: "{#ChineseIsl}"

[CustomMessages]
chs.DataKeptHead=村级党建工作台已卸载。您的数据（数据库、备份和日志）没有删除，仍保存在：
chs.DataKeptTail=重新安装后可以继续使用；如确实不再需要，可自行删除该文件夹。

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; An upgrade replaces the whole runtime folder, so no file of an older version stays behind.
; Only the program folder: the data folder is elsewhere.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Comment: "{#AppName}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Comment: "{#AppName}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
// After uninstalling, tell the user where the data still is (never deleted).
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
    MsgBox(CustomMessage('DataKeptHead') + #13#10 + ExpandConstant('{localappdata}\VillageDesk') + #13#10#13#10 +
      CustomMessage('DataKeptTail'), mbInformation, MB_OK);
end;
